"""The default theme must work from an installed wheel, not only from this checkout."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import REPO_ROOT, MakeSite, article


def test_wheel_carries_default_theme_and_builds_a_site(make_site: MakeSite, tmp_path: Path) -> None:
    wheel_dir = tmp_path / "wheel"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(REPO_ROOT),
            "--no-deps",
            "-q",
            "-w",
            str(wheel_dir),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheel_dir.glob("sitegen-*.whl")
    installed = tmp_path / "installed"
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        archive.extractall(installed)
    assert "sitegen/theme/templates/base.html" in names
    for language in ("en", "fa", "ar", "fr", "de"):  # the theme's catalogs (test_catalogs)
        assert f"sitegen/theme/templates/locales/{language}/LC_MESSAGES/sitegen.po" in names
    assert "sitegen/theme/static/css/site.css" in names
    assert not any(name.startswith("sitegen/theme/static/images") for name in names)
    for recipe in ("github.yml", "gitlab-ci.yml", "publish.sh"):  # sitegen init --ci
        assert f"sitegen/commands/workflows/{recipe}" in names

    root = make_site(
        {
            "sitegen.yaml": "base_url: https://example.org/\nlanguage: fa\n",
            "content/from-the-wheel.md": article("From the wheel"),
        }
    )
    env = {**os.environ, "PYTHONPATH": str(installed)}
    result = subprocess.run(
        [sys.executable, "-m", "sitegen", "build", str(root), "-o", str(tmp_path / "out")],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "out/from-the-wheel/index.html").read_text()
    assert "<h1>From the wheel</h1>" in page
    assert "پرش به محتوای اصلی" in page  # "Skip to main content", from the wheel's catalog
    assert (tmp_path / "out/css/site.css").is_file()
    # and it really ran the wheel's code, with the wheel's theme
    probe = subprocess.run(
        [sys.executable, "-c", "import sitegen.render.theme as t; print(t.default_theme_dir())"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert probe.stdout.strip() == str(installed / "sitegen" / "theme")
    made = subprocess.run(
        [sys.executable, "-m", "sitegen", "init", str(root), "--ci", "github"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert made.returncode == 0, made.stderr
    assert "actions/deploy-pages" in (root / ".github/workflows/sitegen.yml").read_text()
