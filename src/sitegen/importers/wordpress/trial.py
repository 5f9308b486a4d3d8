"""`--dry-run`'s look ahead: the site as the import would leave it, built in a scratch
folder, so the problems a real import would meet in `sitegen build` are reported before
anything is written (an import that "succeeds" into a site that does not build helps no
one)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path

from sitegen.build import build
from sitegen.config.settings import CONFIG_NAME
from sitegen.content.article import CONTENT_DIR
from sitegen.content.manifest import walk_folders
from sitegen.errors import Problem, SitegenError
from sitegen.importers.wordpress.addresses import add_redirects
from sitegen.importers.wordpress.media import is_safe

THEME = "templates"
STATIC = "static"


def trial_build(
    site_dir: Path,
    planned: Iterable[tuple[str, str]],
    media: Collection[str],
    redirects: Mapping[str, str],
    *,
    force: bool,
) -> list[Problem]:
    """The problems `sitegen build` would report once the planned files (path, text) are
    written (existing files kept unless `force`, as the import does). static/ is stood in
    for by empty files of the same names, its own and the media the import would copy or
    download (`media`, site paths): copying it could take minutes, and only names matter
    here (a lead image that is there, a file where a page must go)."""
    with tempfile.TemporaryDirectory(prefix="sitegen-import-") as scratch:
        root = Path(scratch) / "site"
        root.mkdir()
        if (site_dir / CONFIG_NAME).is_file():
            shutil.copyfile(site_dir / CONFIG_NAME, root / CONFIG_NAME)
        for folder in (CONTENT_DIR, THEME):
            if (site_dir / folder).is_dir():
                shutil.copytree(site_dir / folder, root / folder, symlinks=True)
        add_redirects(root, redirects, dry_run=False)  # the old archives' addresses
        for path, text in planned:
            target = root / path
            if force or not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
        stand_ins = _static_names(site_dir) | {p.lstrip("/") for p in media if is_safe(p)}
        for name in stand_ins:
            (root / STATIC / name).parent.mkdir(parents=True, exist_ok=True)
            (root / STATIC / name).touch()
        try:
            found = list(build(root, root / "build", use_cache=False, search=False).warnings)
        except SitegenError as failed:
            found = list(failed.problems)
        return [p for p in found if not _about_a_stand_in(p, stand_ins)]


def _about_a_stand_in(problem: Problem, stand_ins: Collection[str]) -> bool:
    """An empty stand-in file is no image the image stage can read: not the site's problem."""
    path = str(problem.location.path)
    return (
        path.startswith(f"{STATIC}/")
        and path[len(STATIC) + 1 :] in stand_ins
        and ("cannot read image" in problem.message)
    )


def _static_names(site_dir: Path) -> set[str]:
    """The files of the site's static/, as paths relative to it."""
    folder = str(site_dir / STATIC)
    return {
        os.path.relpath(os.path.join(root, name), folder).replace(os.sep, "/")
        for root, names in walk_folders(folder)  # a stack: deep folders are fine
        for name in names
    }
