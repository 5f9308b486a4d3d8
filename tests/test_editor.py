"""Editors' commands: `init` a site, write a `new` article, `check` before publishing."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result
from conftest import REPO_ROOT, MakeSite, article, copy_site

from sitegen.build import build
from sitegen.cli import cli
from sitegen.commands.scaffold import new_article
from sitegen.config.settings import KNOWN_KEYS, load_config
from sitegen.errors import SitegenError


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def front_matter(path: Path) -> dict[str, object]:
    text = path.read_text(encoding="utf-8")
    return dict(yaml.safe_load(text.split("---\n")[1]))


# init ----------------------------------------------------------------------------------
def test_init_makes_a_site_that_builds_and_checks_clean(tmp_path: Path) -> None:
    site = tmp_path / "archive"
    result = run("init", str(site), "--title", 'Open "Voices"')
    assert result.exit_code == 0, result.output
    assert sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()) == [
        ".gitignore", "content/welcome.md", "sitegen.yaml",
    ]  # fmt: skip
    assert load_config(site).title == 'Open "Voices"'
    out = tmp_path / "out"
    report = build(site, out)
    assert report.articles == 1
    assert "Welcome to Open ‘Voices’" in (out / "welcome/index.html").read_text()
    checked = run("check", str(site))
    assert checked.exit_code == 0, checked.output
    assert "checked 1 article and" in checked.output


def test_init_with_base_url_makes_a_site_that_passes_strict(tmp_path: Path) -> None:
    site = tmp_path / "archive"
    result = run("init", str(site), "--base-url", "https://example.org/news")
    assert result.exit_code == 0, result.output
    assert (
        "base_url: https://example.org/news/  # the public address"
        in (site / "sitegen.yaml").read_text()
    )
    assert "warning" not in result.stderr
    built = run("build", str(site), "--strict", "-o", str(tmp_path / "out"))
    assert built.exit_code == 0, built.output
    assert "warning" not in built.stderr


def test_init_without_base_url_keeps_a_placeholder_and_says_how_to_set_it(
    tmp_path: Path,
) -> None:
    site = tmp_path / "archive"
    result = run("init", str(site))  # CliRunner's stdin is no terminal: nothing is asked
    assert result.exit_code == 0, result.output
    assert (
        "# base_url: https://example.org/     # the public address"
        in (site / "sitegen.yaml").read_text()
    )
    assert result.stderr == (
        "warning: base_url is not set; set it in sitegen.yaml before publishing "
        "(sitegen build --strict refuses a site without it)\n"
    )
    assert run("build", str(site), "--strict", "-o", str(tmp_path / "out")).exit_code == 1


def test_init_refuses_a_base_url_sitegen_yaml_would_refuse(tmp_path: Path) -> None:
    site = tmp_path / "archive"
    result = run("init", str(site), "--base-url", "example.org")
    assert result.exit_code == 2
    assert (
        "Invalid value for '--base-url': 'example.org' is not an absolute URL; "
        "expected e.g. 'https://example.org/'"
    ) in result.stderr
    assert not site.exists()


def test_init_asks_for_the_base_url_on_a_terminal_until_it_is_valid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sitegen.cli._is_terminal", lambda: True)
    site = tmp_path / "archive"
    result = CliRunner().invoke(cli, ["init", str(site)], input="example.org\nhttps://x.org\n")
    assert result.exit_code == 0, result.output
    assert result.output.count("Public address of the site (base_url)") == 2
    assert "'example.org' is not an absolute URL" in result.output
    assert load_config(site).base_url == "https://x.org/"
    assert "warning" not in result.output


def test_init_on_a_terminal_an_empty_answer_leaves_base_url_for_later(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sitegen.cli._is_terminal", lambda: True)
    site = tmp_path / "archive"
    result = CliRunner().invoke(cli, ["init", str(site)], input="\n")
    assert result.exit_code == 0, result.output
    assert load_config(site).base_url == ""
    assert "warning: base_url is not set" in result.stderr


def test_init_config_lists_every_option(tmp_path: Path) -> None:
    assert run("init", str(tmp_path / "site")).exit_code == 0
    text = (tmp_path / "site/sitegen.yaml").read_text()
    commented = set(re.findall(r"^#? ?([a-z_]+):", text, re.MULTILINE))
    assert KNOWN_KEYS <= commented


@pytest.mark.parametrize("existing", ["file.txt", "content/a.md"])
def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path, existing: str) -> None:
    site = tmp_path / "site"
    (site / existing).parent.mkdir(parents=True, exist_ok=True)
    (site / existing).write_text("mine")
    result = run("init", str(site))
    assert result.exit_code == 1
    assert f"{site}: is not an empty folder; choose a new one" in result.output
    assert (site / existing).read_text() == "mine"
    assert not (site / "sitegen.yaml").exists()


def test_init_with_theme_copies_a_theme_the_build_then_uses(tmp_path: Path) -> None:
    site = tmp_path / "site"
    assert run("init", str(site), "--with-theme").exit_code == 0
    assert (site / "templates/article.html").is_file()
    assert (site / "static/css/site.css").is_file()
    base = site / "templates/base.html"
    base.write_text(base.read_text().replace("Skip to main content", "Skip ahead"))
    build(site, tmp_path / "out")
    assert "Skip ahead" in (tmp_path / "out/welcome/index.html").read_text()


# new -----------------------------------------------------------------------------------
def test_new_writes_a_dated_skeleton_and_prints_its_path(make_site: MakeSite) -> None:
    site = make_site({"sitegen.yaml": "base_url: https://example.org/\ntimezone: Asia/Tokyo\n"})
    result = run(
        "new", "Kraków: \"Free them\" now", "--site", str(site),
        "--tags", "Women's Rights, Kraków,", "--byline", "Anna Nowak", "--image", "/images/a.jpg",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    path = site / "content/krakow-free-them-now.md"
    assert result.output == f"{path}\n"
    fields = front_matter(path)
    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=9))).date()
    assert fields["date"] in (today, today - dt.timedelta(days=1))  # the test may cross midnight
    assert fields["title"] == 'Kraków: "Free them" now'
    assert fields["tags"] == ["Women's Rights", "Kraków"]
    assert fields["byline"] == "Anna Nowak"
    assert fields["image"] == "/images/a.jpg"
    report = build(site, site.parent / "out")  # the skeleton is a valid article as it stands
    assert report.articles == 1


def test_new_uses_the_site_default_byline_and_time_zone(make_site: MakeSite) -> None:
    site = make_site({"sitegen.yaml": "default_byline: Desk\ntimezone: Pacific/Kiritimati\n"})
    now = dt.datetime(2025, 3, 1, 12, 0, tzinfo=dt.UTC)  # already 2 March in Kiritimati
    path = new_article(site, "Morning briefing", now=now)
    fields = front_matter(path)
    assert fields["byline"] == "Desk"
    assert fields["date"] == dt.date(2025, 3, 2)


def test_new_never_overwrites(make_site: MakeSite) -> None:
    site = make_site({"content/rally-in-paris.md": article("Rally in Paris", body="Mine.")})
    result = run("new", "Rally in Paris", "--site", str(site))
    assert result.exit_code == 1
    assert "content/rally-in-paris.md: already exists; edit it, or choose another title" in (
        result.output
    )
    assert "Mine." in (site / "content/rally-in-paris.md").read_text()


@pytest.mark.parametrize(("title", "message"), [("!!!", "has no letters"), ("Con", "reserves")])
def test_new_refuses_titles_that_make_no_file_name(
    make_site: MakeSite, title: str, message: str
) -> None:
    site = make_site({})
    with pytest.raises(SitegenError) as caught:
        new_article(site, title)
    assert message in str(caught.value.problems[0])
    assert list((site / "content").iterdir()) == []


def test_new_reports_a_broken_config_first(make_site: MakeSite) -> None:
    site = make_site({"sitegen.yaml": "per_page: many\n"})
    result = run("new", "A title", "--site", str(site))
    assert result.exit_code == 1
    assert "sitegen.yaml:1: per_page:" in result.output
    assert list((site / "content").iterdir()) == []


def test_new_outside_a_site_is_refused_and_creates_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    result = run("new", "A title", "--site", str(folder))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{folder.resolve()}: no sitegen.yaml here or in any parent folder; run 'sitegen init' "
        "first, or give the site folder with --site",
        "error: no article written (1 problem)",
    ]
    assert list(folder.iterdir()) == []


def test_new_in_a_subfolder_writes_into_the_site(make_site: MakeSite) -> None:
    site = make_site({"content/news/old.md": article("Old")})
    result = run("new", "Vigil tonight", "--site", str(site / "content/news"))
    assert result.exit_code == 0, result.output
    path = site.resolve() / "content/vigil-tonight.md"
    assert result.output == f"{path}\n"
    assert path.is_file()
    assert not (site / "content/news/content").exists()


# check ---------------------------------------------------------------------------------
def test_check_finds_broken_links_and_missing_images_at_their_lines(
    make_site: MakeSite, tmp_path: Path
) -> None:
    body = (
        "First paragraph.\n\n"
        "See [the other one](/other/) and [a missing one](/no-such-article/).\n\n"
        "A [bad anchor](/other/#nowhere) and [a good one](/other/#main).\n\n"
        "![A chart](/images/missing-chart.png)\n"
    )
    site = make_site(
        {
            "content/first.md": article("First", tags="[News]", body=body),
            "content/other.md": article("Other", tags="[News]", image="/images/gone.jpg",
                                        image_alt="A crowd"),
        }
    )  # fmt: skip
    result = run("check", str(site))
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if "leads nowhere" in line]
    assert errors == [
        "content/first.md:8: link '/no-such-article/' leads nowhere: no page or file there",
        "content/first.md:10: link '/other/#nowhere' leads nowhere: the page has no id 'nowhere'",
        "content/first.md:12: link '/images/missing-chart.png' leads nowhere: no page or file there",
        "content/other.md:5: link '/images/gone.jpg' leads nowhere: no page or file there",
    ]
    assert "checked 2 articles and" in result.output and ": 4 errors," in result.output
    assert not (site / "build").exists()  # nothing written where the site is published from


def test_check_warns_about_untagged_articles_and_repeated_titles(make_site: MakeSite) -> None:
    site = make_site(
        {
            "content/a.md": article("Vigil in Paris", tags="[Vigils]"),
            "content/b.md": article("Vigil  in paris", tags="[Vigils]"),
            "content/c.md": article("Untagged"),
        }
    )
    result = run("check", str(site))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "content/a.md:2: warning: title: also used by content/b.md" in lines
    assert "content/b.md:2: warning: title: also used by content/a.md" in lines
    assert "content/c.md:1: warning: no tags; readers find articles by their tags" in lines
    assert lines[-1] == "checked 3 articles and 11 pages: 0 errors, 3 warnings"


def test_check_reports_content_errors_like_a_build(make_site: MakeSite) -> None:
    site = make_site({"content/a.md": "---\ntitle: A\ndate: soon\n---\nText\n"})
    result = run("check", str(site))
    assert result.exit_code == 1
    assert "content/a.md:3: date: cannot parse 'soon'" in result.output
    assert "Traceback" not in result.output


def test_check_passes_the_example_archive_and_is_quick_the_second_time(
    example_site: Path, tmp_path: Path
) -> None:
    site = copy_site(example_site, tmp_path / "site")
    first = run("check", str(site))
    assert first.exit_code == 0, first.output
    assert first.output.splitlines()[-1].startswith(
        "checked 18 articles and"
    )  # one is a draft; 3 translations
    assert run("check", str(site)).output == first.output  # kept output: same answer


def test_check_reports_a_broken_theme_link_once(make_site: MakeSite) -> None:
    base = (REPO_ROOT / "templates/base.html").read_text()
    broken = base.replace('<main id="main"', '<a href="/no-such-page/">x</a>\n<main id="main"')
    assert broken != base
    site = make_site(
        {"content/a.md": article("A", tags="[X]"), "content/b.md": article("B", tags="[X]"),
         "templates/base.html": broken}
    )  # fmt: skip
    result = run("check", str(site))
    errors = [line for line in result.output.splitlines() if "leads nowhere" in line]
    assert len(errors) == 1, errors
    assert errors[0].endswith(
        "leads nowhere: no page or file there (made by the theme) (on 10 pages)"
    )
