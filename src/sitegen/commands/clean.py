"""`sitegen clean`: remove what builds leave, and only what sitegen wrote."""

from __future__ import annotations

from pathlib import Path

import click

from sitegen.cache.store import CACHE_DIR
from sitegen.content.manifest import remove_tree
from sitegen.publish.spare import stop_catch_up
from sitegen.publish.staging import MARKER, spare_dir


def clean_site(site_dir: Path, output_dir: Path) -> list[str]:
    """Remove the build cache, the output and the spare beside it; returns what went.
    An output folder that sitegen did not write is refused, whole."""
    if output_dir.is_symlink():  # rmtree would refuse it half-way, after the cache went
        raise click.ClickException(
            f"{output_dir}: not removed, it is a symbolic link; remove the link itself"
        )
    try:
        return _remove(site_dir, output_dir)
    except OSError as exc:
        where = exc.filename or output_dir
        raise click.ClickException(f"{where}: cannot remove ({exc.strerror})") from exc


def _remove(site_dir: Path, output_dir: Path) -> list[str]:
    removed = []
    if (site_dir / CACHE_DIR).is_dir():
        remove_tree(site_dir / CACHE_DIR)
        removed.append(str(site_dir / CACHE_DIR))
    if (output_dir / MARKER).is_file():  # only ever a folder sitegen wrote
        remove_tree(output_dir)
        removed.append(str(output_dir))
    elif output_dir.exists():
        raise click.ClickException(f"{output_dir}: not removed, it was not written by sitegen")
    spare = spare_dir(output_dir.absolute())
    stop_catch_up(output_dir.absolute())  # else it may make folders in the spare as it goes
    if (spare / MARKER).is_file():
        remove_tree(spare)
        removed.append(str(spare_dir(output_dir)))
    return removed
