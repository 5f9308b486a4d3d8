"""CI recipes (`sitegen init --ci`), and the cache that CI keeps between runs: a fresh
checkout with the previous run's `.sitegen-cache/` parses nothing that did not change."""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result
from conftest import REPO_ROOT, MakeSite, article

import sitegen
from sitegen import __version__
from sitegen.build import build
from sitegen.cli import cli
from sitegen.commands.ci import CI_KINDS, installed_package, recipe_text

SCHEMAS = REPO_ROOT / "tests" / "data" / "ci-schemas"
GITHUB = ".github/workflows/sitegen.yml"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def load_yaml(path: Path) -> dict[Any, Any]:
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    if True in loaded:  # YAML 1.1 reads the key `on` as true; GitHub reads it as "on"
        loaded["on"] = loaded.pop(True)
    return dict(loaded)


def schema_errors(document: dict[Any, Any], schema_name: str) -> list[str]:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((SCHEMAS / schema_name).read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


# init --ci -----------------------------------------------------------------------------
def test_ci_init_writes_the_github_workflow_into_a_new_site(tmp_path: Path) -> None:
    site = tmp_path / "archive"
    result = run("init", str(site), "--ci", "github")
    assert result.exit_code == 0, result.output
    workflow = site / GITHUB
    assert "created 4 files in" in result.output
    assert f"next: {workflow}: set SITEGEN_PACKAGE in it" in result.output
    assert f"(sitegen {__version__})" in workflow.read_text()
    assert (site / "sitegen.yaml").is_file() and (site / "content/welcome.md").is_file()


@pytest.mark.parametrize(("kind", "rel"), [("gitlab", ".gitlab-ci.yml"), ("shell", "publish.sh")])
def test_ci_init_adds_only_the_recipe_to_an_existing_site(
    make_site: MakeSite, kind: str, rel: str
) -> None:
    site = make_site({"content/a.md": article("A")})
    before = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    result = run("init", str(site), "--ci", kind)
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"created 1 file in {site}\nnext: {site / rel}: ")
    assert "sitegen new" not in result.output
    after = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    assert set(after) - set(before) == {site / rel}
    assert all(after[p] == data for p, data in before.items())
    assert (site / rel).read_text() == recipe_text(kind, installed_package())
    assert os.access(site / rel, os.X_OK) == (kind == "shell")


def test_ci_init_never_overwrites_a_workflow(make_site: MakeSite) -> None:
    site = make_site({GITHUB: "name: mine\n"})
    result = run("init", str(site), "--ci", "github")
    assert result.exit_code == 1
    assert f"{GITHUB}: already exists; left as it is (remove it to write" in result.output
    assert (site / GITHUB).read_text() == "name: mine\n"


def test_ci_init_still_refuses_a_folder_that_is_no_site(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    result = run("init", str(tmp_path), "--ci", "github")
    assert result.exit_code == 1
    assert "is not an empty folder; choose a new one" in result.output
    assert not (tmp_path / GITHUB).exists()


def test_ci_init_names_the_recipes_it_knows(tmp_path: Path) -> None:
    result = run("init", str(tmp_path / "s"), "--ci", "jenkins")
    assert result.exit_code == 2
    assert "'jenkins' is not one of 'github', 'gitlab', 'shell'" in result.output


class _Installed:
    """importlib.metadata's view of a sitegen that pip installed from `direct_url`."""

    def __init__(self, direct_url: dict[str, Any]) -> None:
        self.direct_url = direct_url

    def read_text(self, name: str) -> str | None:
        return json.dumps(self.direct_url) if name == "direct_url.json" else None


SHA = "0123456789abcdef0123456789abcdef01234567"


@pytest.mark.parametrize(
    ("direct_url", "package"),
    [
        (
            {"url": "https://github.com/org/sitegen", "vcs_info": {"vcs": "git", "commit_id": SHA}},
            f"sitegen @ git+https://github.com/org/sitegen@{SHA}",
        ),
        (
            {"url": "https://example.org/sitegen-0.1.0-py3-none-any.whl", "archive_info": {}},
            "sitegen @ https://example.org/sitegen-0.1.0-py3-none-any.whl",
        ),
        ({"url": "file:///home/me/sitegen", "dir_info": {"editable": True}}, None),
        ({"url": 'https://x.org/a" b', "vcs_info": {"vcs": "git", "commit_id": SHA}}, None),
    ],
)
def test_ci_init_pins_the_sitegen_that_wrote_the_recipe(
    make_site: MakeSite,
    monkeypatch: pytest.MonkeyPatch,
    direct_url: dict[str, Any],
    package: str | None,
) -> None:
    """Installed from an address CI can reach, the recipe installs that very sitegen;
    otherwise it names a placeholder, and the job stops until it is replaced."""
    monkeypatch.setattr(importlib.metadata, "distribution", lambda _: _Installed(direct_url))
    site = make_site({})
    result = run("init", str(site), "--ci", "github")
    assert result.exit_code == 0, result.output
    text = (site / GITHUB).read_text()
    if package:
        assert f'SITEGEN_PACKAGE: "{package}"' in text
        assert "set SITEGEN_PACKAGE" not in result.output
    else:
        assert 'SITEGEN_PACKAGE: "sitegen @ git+https://CHANGE-ME/sitegen@v' in text
        assert "set SITEGEN_PACKAGE in it" in result.output


# the recipes ---------------------------------------------------------------------------
def test_ci_github_workflow_is_valid_and_builds_checks_and_publishes(tmp_path: Path) -> None:
    run("init", str(tmp_path / "s"), "--ci", "github")
    workflow = load_yaml(tmp_path / "s" / GITHUB)
    assert schema_errors(workflow, "github-workflows.json") == []
    build_job, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    commands = "\n".join(step.get("run", "") for step in build_job["steps"])
    assert "sitegen build --strict" in commands and "sitegen check --strict" in commands
    (cache,) = [s for s in build_job["steps"] if s.get("uses", "").startswith("actions/cache@")]
    assert cache["with"]["path"].split() == [".sitegen-cache", "!.sitegen-cache/check"]
    key = cache["with"]["key"]
    assert "steps.sitegen.outputs.id" in key  # sitegen's version and where it came from
    assert "hashFiles('sitegen.yaml', 'templates/**')" in key
    for restore_key in cache["with"]["restore-keys"].splitlines():
        assert key.startswith(restore_key)
    (upload,) = [s for s in build_job["steps"] if "upload-pages-artifact" in s.get("uses", "")]
    assert upload["with"]["path"] == "build/"
    assert deploy["needs"] == "build"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert "default_branch" in deploy["if"]  # a pull request is built and checked, not published
    assert workflow["permissions"] == {"contents": "read"}


def test_ci_github_workflow_passes_actionlint(tmp_path: Path) -> None:
    actionlint = shutil.which("actionlint")
    if actionlint is None:
        pytest.skip("actionlint is not installed")
    run("init", str(tmp_path), "--ci", "github")
    result = subprocess.run(
        [actionlint, "-no-color", GITHUB], cwd=tmp_path, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_ci_gitlab_pipeline_is_valid_and_publishes_public(tmp_path: Path) -> None:
    run("init", str(tmp_path / "s"), "--ci", "gitlab")
    pipeline = load_yaml(tmp_path / "s" / ".gitlab-ci.yml")
    assert schema_errors(pipeline, "gitlab-ci.json") == []
    template = pipeline[".sitegen"]
    assert template["cache"]["paths"] == [".sitegen-cache/"]
    assert "sitegen build --strict --stats -o public" in template["script"]
    assert "sitegen check --strict" in template["script"]
    pages = pipeline["pages"]
    assert pages["extends"] == ".sitegen"
    assert pages["artifacts"]["paths"] == ["public"]
    assert pages["rules"] == [{"if": "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"}]


@pytest.fixture
def publish_env(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """PATH with this sitegen and stand-ins for rsync and aws that log their arguments."""
    bin_dir, log = tmp_path / "bin", tmp_path / "calls.log"
    bin_dir.mkdir()
    source = Path(sitegen.__file__).resolve().parents[1]
    stubs = {
        "sitegen": f'#!/bin/sh\nPYTHONPATH="{source}" exec "{sys.executable}" -m sitegen "$@"\n',
        "rsync": f'#!/bin/sh\necho "rsync $*" >> "{log}"\n',
        "aws": f'#!/bin/sh\necho "aws $*" >> "{log}"\n',
    }
    for name, text in stubs.items():
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(0o755)
    return {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}, log


@pytest.mark.parametrize(
    ("target", "call"),
    [
        ("deploy@example.org:/srv/www/", "rsync -a --delete --delay-updates"),
        ("s3://archive/", "aws s3 sync build/ s3://archive/ --delete"),
    ],
)
def test_ci_publish_script_builds_checks_then_copies(
    make_site: MakeSite, publish_env: tuple[dict[str, str], Path], target: str, call: str
) -> None:
    env, log = publish_env
    site = make_site({"content/a.md": article("A")})
    run("init", str(site), "--ci", "shell")
    done = subprocess.run(
        [str(site / "publish.sh")],
        env={**env, "PUBLISH_TO": target},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "checked 1 article" in done.stdout
    assert (site / "build/a/index.html").is_file()
    (line,) = log.read_text().splitlines()
    assert line.startswith(call) and target in line and "build/" in line


def test_ci_publish_script_copies_nothing_when_the_site_has_errors(
    make_site: MakeSite, publish_env: tuple[dict[str, str], Path]
) -> None:
    env, log = publish_env
    site = make_site({"content/a.md": "---\ntitle: A\ndate: someday\n---\nText.\n"})
    run("init", str(site), "--ci", "shell")
    done = subprocess.run(
        [str(site / "publish.sh")],
        env={**env, "PUBLISH_TO": "h:/x/"},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert "content/a.md:3: date: cannot parse 'someday'" in done.stderr
    assert not log.exists()
    unset = subprocess.run([str(site / "publish.sh")], env=env, capture_output=True, text=True)
    assert unset.returncode != 0 and "set PUBLISH_TO" in unset.stderr


def test_ci_docs_show_every_recipe_as_written() -> None:
    docs = (REPO_ROOT / "docs" / "deploying.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```(?:yaml|sh)\n(.*?)^```$", docs, re.MULTILINE | re.DOTALL)
    for kind in CI_KINDS:
        assert recipe_text(kind) in blocks, f"docs/deploying.md does not show the {kind} recipe"


# the cache in a fresh checkout ---------------------------------------------------------
def test_ci_restored_cache_is_used_by_a_fresh_checkout_elsewhere(
    make_site: MakeSite, tmp_path: Path
) -> None:
    site = make_site({f"content/a{n}.md": article(f"Article {n}") for n in range(5)})
    first = build(site)
    assert first.parsed == 5
    # a CI checkout: another absolute path, every file written anew (new times), no output;
    # the cache as actions/cache restores it
    clone = tmp_path / "runner" / "work" / "site"
    shutil.copytree(site, clone, ignore=shutil.ignore_patterns("build"), copy_function=shutil.copy)
    later = time.time() + 3600
    for path in (clone / "content").iterdir():
        os.utime(path, (later, later))
    (clone / "content/a0.md").write_text(article("Article 0, corrected"), encoding="utf-8")
    report = build(clone, clone / "public")
    assert (report.articles, report.parsed) == (5, 1)  # only the changed article parsed
    assert "Article 0, corrected" in (clone / "public/a0/index.html").read_text()
    fresh = build(clone, tmp_path / "again", use_cache=False)  # and it is what a cold build makes
    for page in ("a1/index.html", "index.html", "feed.xml"):
        assert (clone / "public" / page).read_bytes() == (tmp_path / "again" / page).read_bytes()
    assert fresh.parsed == 5
