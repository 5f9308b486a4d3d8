"""`sitegen import wordpress`: the import run and printed, with a progress bar for
downloads when attached to a terminal (a few thousand photos take minutes)."""

from __future__ import annotations

import contextlib
import importlib.util
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click

from sitegen.errors import install_command

_LIBRARIES = ("defusedxml", "markdownify")  # the 'wordpress' extra


def missing_library() -> str | None:
    """The message for a missing library of the 'wordpress' extra, if one is missing."""
    for name in _LIBRARIES:
        if importlib.util.find_spec(name) is None:
            install = install_command("wordpress")
            return f"the WordPress import needs {name}; install it with: {install}"
    return None


def wordpress_import(
    export: Path,
    site_dir: Path,
    *,
    uploads: Path | None,
    download_media: bool,
    remote_media: bool,
    categories_as_tags: bool,
    force: bool,
    dry_run: bool,
) -> None:
    """Import, then print the report (the files a dry run would write on stdout)."""
    from sitegen.importers.wordpress.plan import ImportOptions, run_import
    from sitegen.importers.wordpress.report import report_lines

    options = ImportOptions(uploads, categories_as_tags, download_media, remote_media)
    with _progress() as progress:
        report = run_import(
            export, site_dir, options, force=force, dry_run=dry_run, progress=progress
        )
    if dry_run:
        for path in report.written:
            click.echo(path)
    for line in report_lines(report, dry_run=dry_run, uploads=uploads is not None):
        click.echo(line, err=True)


@contextlib.contextmanager
def _progress() -> Iterator[Callable[[int], Callable[[Any], None]]]:
    """A maker of progress callbacks: a bar on stderr when it is a terminal, else silence."""
    with contextlib.ExitStack() as bars:

        def start(total: int) -> Callable[[Any], None]:
            if not sys.stderr.isatty() or total == 0:
                return lambda _: None
            bar = click.progressbar(length=total, label="downloading media", file=sys.stderr)
            shown = bars.enter_context(bar)
            return lambda _: shown.update(1)

        yield start
