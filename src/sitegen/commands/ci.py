"""`sitegen init --ci KIND`: a CI recipe (workflows/, shipped in the package) -> the file
in the site where that CI looks for it. Never overwrites."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path, PurePosixPath

from sitegen import __version__
from sitegen.errors import Location, SitegenError, error

WORKFLOWS_DIR = Path(__file__).resolve().with_name("workflows")
# kind -> (the packaged recipe, where it goes in a site, what the user does next)
CI_RECIPES = {
    "github": (
        "github.yml",
        ".github/workflows/sitegen.yml",
        "commit it, and in the repository's Settings > Pages choose 'GitHub Actions' as the source",
    ),
    "gitlab": (
        "gitlab-ci.yml",
        ".gitlab-ci.yml",
        "commit it; GitLab publishes the default branch",
    ),
    "shell": (
        "publish.sh",
        "publish.sh",
        "run it from your CI with PUBLISH_TO=user@host:/path/ or PUBLISH_TO=s3://bucket/",
    ),
}
CI_KINDS = tuple(CI_RECIPES)
# What pip installs in CI when sitegen did not come from an address CI can reach too; the
# recipes stop at once while it is there
UNKNOWN_PACKAGE = "sitegen @ git+https://CHANGE-ME/sitegen@v{version}"
_PLAIN = re.compile(r"[A-Za-z0-9+.:/@_~%-]+")  # safe inside YAML's and the shell's quotes


def recipe_text(kind: str, package: str | None = None) -> str:
    """The recipe for `kind`, naming the sitegen that wrote it and installing `package`
    (a pip requirement; by default a placeholder the user replaces)."""
    text = (WORKFLOWS_DIR / CI_RECIPES[kind][0]).read_text(encoding="utf-8")
    text = text.replace("{package}", package or UNKNOWN_PACKAGE)
    return text.replace("{version}", __version__)


def installed_package() -> str | None:
    """`sitegen @ git+URL@COMMIT` when this sitegen was installed by pip from a Git
    repository (or `sitegen @ URL` from a wheel's address): the same sitegen, for CI.
    None when installed from a local folder, which CI cannot reach."""
    import importlib.metadata  # noqa: PLC0415 - 15 ms, imported by every command

    try:
        origin = json.loads(
            importlib.metadata.distribution("sitegen").read_text("direct_url.json") or "{}"
        )
        url, vcs = origin.get("url", ""), origin.get("vcs_info") or {}
    except (importlib.metadata.PackageNotFoundError, ValueError, AttributeError):
        return None
    if not isinstance(url, str) or not url.startswith("https://") or not _PLAIN.fullmatch(url):
        return None
    if vcs.get("vcs") == "git" and _PLAIN.fullmatch(str(vcs.get("commit_id", ""))):
        return f"sitegen @ git+{url}@{vcs['commit_id']}"
    return f"sitegen @ {url}" if "archive_info" in origin else None


def write_ci(site_dir: Path, kind: str) -> Path:
    """Write the CI recipe for `kind` into `site_dir`; returns its path. An existing file
    is left as it is and reported."""
    rel = CI_RECIPES[kind][1]
    path = site_dir / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(path, "x", encoding="utf-8", newline="\n") as file:  # "x": never overwrite
            file.write(recipe_text(kind, installed_package()))
    except FileExistsError:
        problem = "already exists; left as it is (remove it to write sitegen's recipe)"
        raise SitegenError([error(Location(PurePosixPath(rel)), problem)], "not created") from None
    if rel.endswith(".sh"):
        os.chmod(path, 0o755)
    return path


def next_step(kind: str, path: Path) -> str:
    """What the user does with the recipe written to `path`, as `PATH: what`."""
    placeholder = "git+https://CHANGE-ME/" in path.read_text(encoding="utf-8")
    return f"{path}: {'set SITEGEN_PACKAGE in it, ' if placeholder else ''}{CI_RECIPES[kind][2]}"
