"""`--dry-run`'s look ahead: the site as the import would leave it, built in a scratch
folder, so the problems a real import would meet in `sitegen build` are reported before
anything is written (an import that "succeeds" into a site that does not build helps no
one)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path

from sitegen.build import build
from sitegen.config.settings import CONFIG_NAME
from sitegen.content.article import CONTENT_DIR
from sitegen.errors import Problem, SitegenError
from sitegen.importers.wordpress.addresses import add_redirects

THEME = "templates"


def trial_build(
    site_dir: Path,
    planned: Iterable[tuple[str, str]],
    media: Collection[str],
    redirects: Mapping[str, str],
    *,
    force: bool,
) -> list[Problem]:
    """The problems `sitegen build` would report once the planned files (path, text) are written
    (existing files kept unless `force`, as the import does). Static files are not copied:
    a lead image the import would copy or download (`media`, site paths) is not missing."""
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
        try:
            problems = list(build(root, root / "build", use_cache=False, search=False).warnings)
        except SitegenError as failed:
            problems = list(failed.problems)
    static = {path for path in media} | _static_files(site_dir)
    return [p for p in problems if not _image_provided(p, static)]


def _static_files(site_dir: Path) -> set[str]:
    folder = site_dir / "static"
    if not folder.is_dir():
        return set()
    return {"/" + p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def _image_provided(problem: Problem, static: Collection[str]) -> bool:
    """A 'not found under static/' warning for a file that is (or will be) there."""
    message = problem.message
    if not (message.startswith("image: '") and message.endswith("' not found under static/")):
        return False
    return message.removeprefix("image: '").removesuffix("' not found under static/") in static
