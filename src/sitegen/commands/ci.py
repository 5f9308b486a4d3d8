"""`sitegen init --ci KIND`: a CI recipe (workflows/, shipped in the package) -> the file
in the site where that CI looks for it. Never overwrites."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

from sitegen import __version__
from sitegen.errors import Location, SitegenError, error

WORKFLOWS_DIR = Path(__file__).resolve().with_name("workflows")
# kind -> (the packaged recipe, where it goes in a site, what the user does next)
CI_RECIPES = {
    "github": (
        "github.yml",
        ".github/workflows/sitegen.yml",
        "set SITEGEN_PACKAGE in it, commit it, and in the repository's Settings > Pages "
        "choose 'GitHub Actions' as the source",
    ),
    "gitlab": (
        "gitlab-ci.yml",
        ".gitlab-ci.yml",
        "set SITEGEN_PACKAGE in it and commit it; GitLab publishes the default branch",
    ),
    "shell": (
        "publish.sh",
        "publish.sh",
        "run it from your CI with PUBLISH_TO=user@host:/path/ or PUBLISH_TO=s3://bucket/",
    ),
}
CI_KINDS = tuple(CI_RECIPES)


def recipe_text(kind: str) -> str:
    """The recipe for `kind` as `init --ci` writes it (naming the sitegen that wrote it)."""
    text = (WORKFLOWS_DIR / CI_RECIPES[kind][0]).read_text(encoding="utf-8")
    return text.replace("{version}", __version__)


def write_ci(site_dir: Path, kind: str) -> Path:
    """Write the CI recipe for `kind` into `site_dir`; returns its path. An existing file
    is left as it is and reported."""
    rel = CI_RECIPES[kind][1]
    path = site_dir / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(path, "x", encoding="utf-8", newline="\n") as file:  # "x": never overwrite
            file.write(recipe_text(kind))
    except FileExistsError:
        problem = "already exists; left as it is (remove it to write sitegen's recipe)"
        raise SitegenError([error(Location(PurePosixPath(rel)), problem)], "not created") from None
    if rel.endswith(".sh"):
        os.chmod(path, 0o755)
    return path


def next_step(kind: str) -> str:
    return CI_RECIPES[kind][2]
