"""Rebuilds through the cache must produce exactly what a clean cold build produces."""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures.process import BrokenProcessPool
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import jinja2
import pytest

from sitegen.assemble import related
from sitegen.build import build
from sitegen.cache.codec import decode_row
from sitegen.content import loading
from sitegen.errors import ContentError
from sitegen.publish.integrity import verify
from sitegen.runtime.pool import MIN_ITEMS, can_fork, start_map, work_ranges
from tests.conftest import MakeSite, article, tiny_jpeg
from tests.test_build import tree

STEPS = int(os.environ.get("SITEGEN_INCREMENTAL_STEPS", "25"))
# Set, the randomized tests start from an archive of that many articles shaped like a real
# one (random_archive); unset (CI), from a dozen small ones.
ARCHIVE = int(os.environ.get("SITEGEN_RANDOM_ARTICLES", "0"))
TAGS = ["Paris", "UN", "Women's Rights", "#FreeThePress", "Kraków", "Refugees"]
WRITERS = ["Mina Ardalan", "Leila Haddad", "Tomas Reyes"]
ACTIONS = "edit edit add delete rename retag alias template config static".split()


def random_article(rng: random.Random, number: int) -> str:
    tags = rng.sample(TAGS, rng.randint(0, 3))
    fields = {"tags": "[" + ", ".join(f'"{t}"' for t in tags) + "]"}
    if rng.random() < 0.7:
        fields["byline"] = f'"{rng.choice(WRITERS)}"'
    if rng.random() < 0.3:
        fields["summary"] = f'"Summary {rng.randint(0, 999)}"'
    day = f"2025-{rng.randint(1, 3):02d}-{rng.randint(1, 28):02d}"
    body = f"Paragraph {number} with *emphasis* and a [link](/). " * rng.randint(1, 12)
    return article(f"Article {number} v{rng.randint(0, 99)}", day, body=body, **fields)


LANGUAGES = "languages:\n  fa: {title: آرشیو}\n  fr: {title: Archives}\n"
# Persian on its own domain, with its own byline (the config action moves it back and forth)
HOSTED = LANGUAGES.replace(
    "{title: آرشیو}", "{title: آرشیو, base_url: 'https://fa.example.org/', default_byline: دبیر}"
)
ARCHIVE_TAGS = [f"Topic {n}" for n in range(40)] + TAGS + ["Human Rights (UN)", "Zoë's Diary"]
SENTENCES = [
    "Families of detainees gathered outside the court on Tuesday.",
    "The report, released in Geneva, documented *forced confessions*.",
    "Readers can consult [the findings](https://www.example.org/findings) for background.",
    "Lawyers said the hearing had been postponed \u201cfor the third time\u201d.",
    "Prices of bread have risen by 63% since August, while wages stayed flat.",
    "A spokesperson for the campaign called for an independent inquiry.",
]


def archive_article(rng: random.Random, number: int, images: int) -> str:
    """An article as a ten-year archive has them: dates across the years, a handful of
    Zipf-distributed tags, a byline, often a summary and a lead image, a body of several
    paragraphs with headings, a quote, a list and a picture."""
    weights = [1 / (rank + 1) for rank in range(len(ARCHIVE_TAGS))]
    tags = sorted(set(rng.choices(ARCHIVE_TAGS, weights, k=rng.randint(1, 6))))
    fields = {"tags": "[" + ", ".join(json.dumps(t) for t in tags) + "]"}
    if rng.random() < 0.8:
        fields["byline"] = json.dumps(rng.choice(WRITERS))
    if rng.random() < 0.5:
        fields["summary"] = json.dumps(rng.choice(SENTENCES).replace("*", ""))
    if rng.random() < 0.6:
        fields["image"] = f"/images/photo-{rng.randrange(images)}.jpg"
        if rng.random() < 0.7:
            fields["image_alt"] = f'"Photo {number}"'
    day = date(2015, 1, 1) + timedelta(days=rng.randrange(3650))

    def paragraph() -> str:
        return " ".join(rng.choices(SENTENCES, k=rng.randint(2, 5)))

    body = [paragraph(), paragraph()]
    for section in range(rng.randint(1, 3)):
        body += [f"## Section {section}", paragraph()]
        if rng.random() < 0.3:
            body.append("> " + paragraph())
        if rng.random() < 0.2:
            body.append("\n".join(f"- Point {n}" for n in range(3)))
        if rng.random() < 0.1:
            body.append(f"![A picture](/images/photo-{rng.randrange(images)}.jpg)")
    title = f"Article {number}: {rng.choice(SENTENCES)[:40]}"
    return article(title, day.isoformat(), body="\n\n".join(body), **fields)


def random_archive(rng: random.Random, count: int, languages: str) -> dict[str, str | bytes]:
    """The files of an archive of `count` such articles and a few photos; a multilingual
    one (`languages`) has a Persian translation of every fourth, a French one of every sixth."""
    images = 6
    files: dict[str, str | bytes] = {
        "sitegen.yaml": "base_url: https://example.org/\nper_page: 10\n" + languages,
        **{f"static/images/photo-{n}.jpg": tiny_jpeg(40 + 8 * n, 24 + n) for n in range(images)},
    }
    for number in range(count):
        files[f"content/a{number}.md"] = archive_article(rng, number, images)
        if languages and number % 4 == 0:
            files[f"content/a{number}.fa.md"] = archive_article(rng, number, images)
        if languages and number % 6 == 0:
            files[f"content/a{number}.fr.md"] = archive_article(rng, number, images)
    return files


def differing(first: Path, second: Path) -> list[str]:
    """Paths whose bytes differ between two outputs, or that only one has."""
    one, other = tree(first), tree(second)
    return sorted(path for path in one.keys() | other.keys() if one.get(path) != other.get(path))


def mutate(rng: random.Random, root: Path, step: int, languages: str = "") -> str:
    """One editor action on the site; returns what it was, for the failure message. A
    multilingual site (`languages`: its sitegen.yaml lines) also gets translations added,
    edited and removed, and its languages' settings changed."""
    files = sorted((root / "content").rglob("*.md"))
    action = rng.choice(ACTIONS + (["translate"] * 3 if languages else []))
    if action == "translate" and files:  # a new or edited translation, or one removed
        path = rng.choice(files)
        translation = path.with_name(f"{path.name.split('.')[0]}.{rng.choice(['fa', 'fr'])}.md")
        if translation.exists() and rng.random() < 0.3:
            translation.unlink()
        else:
            translation.write_text(random_article(rng, step))
    elif action == "add" or not files:
        path = root / "content" / f"new-{step}.md"
        path.write_text(random_article(rng, step))
    elif action == "edit":
        path = rng.choice(files)
        path.write_text(random_article(rng, step))
    elif action == "delete" and len(files) > 1:
        path = rng.choice(files)
        path.unlink()
    elif action == "rename":
        path = rng.choice(files)
        path.rename(path.with_name(f"renamed-{step}.md"))
    elif action == "retag":
        path = rng.choice(files)
        text = path.read_text()
        path.write_text(text.replace("tags: [", f'tags: ["{rng.choice(TAGS)}", ', 1))
    elif action == "alias":  # an old address added, or all of an article's dropped
        path = rng.choice(files)
        text = path.read_text()
        if "aliases:" in text:
            text = re.sub(r"aliases: .*\n", "", text)
        else:
            old = f'["/old/{path.stem}-{step}/", "/?p={step}", "/{step}.html"]'
            text = text.replace("---\n", f"---\naliases: {old}\n", 1)
        path.write_text(text)
    elif action == "template":
        (root / "templates").mkdir(exist_ok=True)
        (root / "templates/article.html").write_text(
            "{% extends 'base.html' %}{% block main %}<h1>{{ article.title }}</h1>"
            f"<p>variant {step}</p>{{{{ article.body_html | safe }}}}{{% endblock %}}"
        )
    elif action == "config":  # a large archive: 5-20 a page, as sites have (1 would be slow)
        if languages == HOSTED and rng.random() < 0.5:
            languages = LANGUAGES  # Persian back under the site's domain, for this step
        title = f"  fa: {{title: آرشیو {step}}}\n" if languages and rng.random() < 0.5 else ""
        (root / "sitegen.yaml").write_text(
            f"base_url: https://example.org/\nper_page: {rng.randint(1, 4) * (5 if ARCHIVE else 1)}\n"
            + (languages.replace("  fa: {title: آرشیو}\n", title or "  fa:\n") if languages else "")
        )
    else:
        (root / "static").mkdir(exist_ok=True)
        (root / "static" / f"file-{rng.randint(0, 2)}.txt").write_text(f"static {step}")
    return action


@pytest.mark.parametrize(
    "languages", ["", LANGUAGES, HOSTED], ids=["one-language", "multilingual", "own-domain"]
)
def test_incremental_builds_equal_cold_builds(
    make_site: MakeSite, tmp_path: Path, languages: str
) -> None:
    rng = random.Random(20261124)
    files: dict[str, str | bytes]
    if ARCHIVE:
        files = random_archive(rng, ARCHIVE, languages)
    else:
        files = {f"content/a{i}.md": random_article(rng, i) for i in range(12)}
        if languages:
            files["sitegen.yaml"] = "base_url: https://example.org/\n" + languages
            files |= {f"content/a{i}.fa.md": random_article(rng, 100 + i) for i in range(0, 12, 2)}
            files |= {f"content/a{i}.fr.md": random_article(rng, 200 + i) for i in range(0, 12, 3)}
    root = make_site(files)
    incremental = tmp_path / "incremental"
    build(root, incremental)
    history = []
    words_only = 0
    from tests.test_serve_random import change_words  # (it imports this module)

    for step in range(STEPS):
        if rng.random() < 0.5:  # half the edits change words only (build.quick)
            history.append(change_words(rng, root, step))
        else:
            history.append(mutate(rng, root, step, languages))
        report = build(root, incremental)
        words_only += report.words_only
        cold = tmp_path / "cold"
        shutil.rmtree(cold, ignore_errors=True)
        build(root, cold, use_cache=False)
        assert differing(incremental, cold) == [], f"differs after steps {history}"
        assert report.parsed <= len(list((root / "content").rglob("*.md")))
    assert words_only, "no build took the word-only way: the test no longer tests build.quick"


def test_noop_rebuild_touches_no_file(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site(
        {f"content/a{i}.md": article(f"A{i}", f"2025-01-{i + 1:02d}", tags="[X]") for i in range(8)}
    )
    out = tmp_path / "out"
    build(root, out)
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    report = build(root, out)
    assert (report.parsed, report.written, report.removed) == (0, 0, 0)
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == before


def test_one_edit_rewrites_only_what_shows_the_article(make_site: MakeSite, tmp_path: Path) -> None:
    files = {
        f"content/a{i:02d}.md": article(f"A{i}", f"2025-01-{i + 1:02d}", tags="[Common]")
        for i in range(30)
    }
    files["sitegen.yaml"] = "base_url: https://example.org/\nper_page: 5\nrelated_count: 0\n"
    root = make_site(files)
    out = tmp_path / "out"
    build(root, out)
    (root / "content/a03.md").write_text(article("A3 corrected", "2025-01-04", tags="[Common]"))
    report = build(root, out)
    assert report.parsed == 1
    assert "A3 corrected" in (out / "a03/index.html").read_text()
    assert "A3 corrected" in (out / "page/6/index.html").read_text()
    assert "A3 corrected" in (out / "tag/common/page/6/index.html").read_text()
    assert "A3 corrected" not in (out / "index.html").read_text()
    assert 0 < report.written < 25  # the article, its neighbours, a few listings, sitemap...


def test_unreadable_cache_is_discarded_with_a_warning(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site({"content/a.md": article("A")})
    build(root, tmp_path / "out")
    (root / ".sitegen-cache/cache.sqlite").write_bytes(b"not a database at all" * 100)
    report = build(root, tmp_path / "out")
    assert [w.message.split(" (")[0] for w in report.warnings] == ["cache: unreadable"]
    assert (tmp_path / "out/a/index.html").is_file()
    assert build(root, tmp_path / "out").warnings == ()  # rebuilt cleanly


@pytest.mark.parametrize(
    "languages", ["", LANGUAGES, HOSTED], ids=["one-language", "multilingual", "own-domain"]
)
@pytest.mark.parametrize("jobs", [1, 2, 3])
def test_parallel_loading_equals_serial(
    make_site: MakeSite, tmp_path: Path, jobs: int, monkeypatch: pytest.MonkeyPatch, languages: str
) -> None:
    monkeypatch.setitem(MIN_ITEMS, "parse", 2)  # parse in workers
    monkeypatch.setitem(MIN_ITEMS, "related", 2)  # choose related articles in workers
    monkeypatch.setitem(MIN_ITEMS, "render", 2)  # render and write in workers
    assert can_fork(2, 2, "render")  # no stray thread of another test keeps the workers away
    rng = random.Random(7)
    files = {f"content/a{i}.md": random_article(rng, i) for i in range(40)}
    if languages:  # related articles chosen by workers over every language, then settled
        files["sitegen.yaml"] = "base_url: https://example.org/\n" + languages
        files |= {f"content/a{i}.fa.md": random_article(rng, 100 + i) for i in range(0, 40, 2)}
    root = make_site(files)
    build(root, tmp_path / "serial", use_cache=False, jobs=1)
    build(root, tmp_path / f"jobs{jobs}", use_cache=False, jobs=jobs)
    assert tree(tmp_path / "serial") == tree(tmp_path / f"jobs{jobs}")
    assert verify(tmp_path / f"jobs{jobs}").ok  # the workers' hashes are the files' hashes


@pytest.mark.parametrize("jobs", [2, 3, 8])
@pytest.mark.parametrize("count", [0, 1, 7, 96, 1000, 10007])
def test_work_is_dealt_in_shrinking_ranges_that_cover_it_once(count: int, jobs: int) -> None:
    """Workers take long runs of neighbouring pages first and short ones last."""
    ranges = work_ranges(count, jobs)
    assert [i for start, stop in ranges for i in range(start, stop)] == list(range(count))
    sizes = [stop - start for start, stop in ranges]
    assert sizes == sorted(sizes, reverse=True)
    assert len(ranges) <= max(count, 1) and (count < 1000 or sizes[0] >= count // (2 * jobs))


class _HalfBrokenPool:
    """A process pool that sends one chunk of results, then breaks down (a killed worker)."""

    started = 0

    def __init__(self, *args: object, **kwargs: object) -> None:
        _HalfBrokenPool.started += 1

    def __enter__(self) -> _HalfBrokenPool:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def map(self, function: Any, *iterables: Any) -> Iterator[Any]:
        yield function(*next(zip(*iterables, strict=True)))
        raise BrokenProcessPool("a worker was killed")


def test_a_parse_pool_that_breaks_down_midway_still_gives_every_article_once(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the pool did not send is parsed here; results stay with their own files."""
    rng = random.Random(5)
    root = make_site({f"content/a{i:02d}.md": random_article(rng, i) for i in range(30)})
    build(root, tmp_path / "serial", use_cache=False, jobs=1)
    monkeypatch.setitem(MIN_ITEMS, "parse", 2)
    # (runtime.pool imports it when it shares work out: patched where it finds it)
    monkeypatch.setattr("concurrent.futures.ProcessPoolExecutor", _HalfBrokenPool)
    report = build(root, tmp_path / "broken", jobs=2)
    assert _HalfBrokenPool.started == 1
    assert report.parsed == 30
    assert tree(tmp_path / "broken") == tree(tmp_path / "serial")


def test_parallel_first_build_remembers_every_file_it_made(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Parsed articles are saved in batches as the workers send them, and fingerprints
    worked out while they render: the next build must find all of them (else it redoes
    everything), and the cache keeps no result of a file as it no longer is."""
    monkeypatch.setitem(MIN_ITEMS, "parse", 2)
    monkeypatch.setitem(MIN_ITEMS, "render", 2)
    monkeypatch.setattr("sitegen.content.loading.SAVE_EVERY", 3)  # 13 batches and a last one of 1
    assert can_fork(2, 2, "render")
    rng = random.Random(11)
    root = make_site({f"content/a{i:02d}.md": random_article(rng, i) for i in range(40)})
    out = tmp_path / "out"
    first = build(root, out, jobs=2)
    assert first.parsed == 40
    edited = root / "content/a07.md"
    edited.write_text(edited.read_text() + "\nA correction.\n")
    again = build(root, out, jobs=2)
    assert again.parsed == 1
    with contextlib.closing(sqlite3.connect(root / ".sitegen-cache/cache.sqlite")) as db:
        assert db.execute("SELECT count(*) FROM articles").fetchone() == (40,)
    assert 0 < again.written < 15 < first.written  # the article, listings that show it...
    build(root, tmp_path / "cold", use_cache=False, jobs=1)
    assert tree(out) == tree(tmp_path / "cold")


def test_a_load_stores_its_parse_results_in_one_go(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Parse results are stored in batches as they come, but committed together: a build
    interrupted while loading leaves none of them (and a cache the next build reads
    without a warning), one that loads them all leaves all."""
    monkeypatch.setattr("sitegen.content.loading.SAVE_EVERY", 3)
    rng = random.Random(17)
    root = make_site({f"content/a{i:02d}.md": random_article(rng, i) for i in range(20)})
    decoded = 0

    def interrupted(row: Any) -> Any:
        nonlocal decoded
        decoded += 1
        if decoded > 10:  # three batches stored by then
            raise KeyboardInterrupt
        return decode_row(row)

    with monkeypatch.context() as patch:
        patch.setattr("sitegen.content.loading.decode_row", interrupted)
        with pytest.raises(KeyboardInterrupt):
            build(root, tmp_path / "out", jobs=1)
    with contextlib.closing(sqlite3.connect(root / ".sitegen-cache/cache.sqlite")) as db:
        assert db.execute("SELECT count(*) FROM articles").fetchone() == (0,)
    report = build(root, tmp_path / "out", jobs=1)
    assert report.parsed == 20 and report.warnings == ()
    with contextlib.closing(sqlite3.connect(root / ".sitegen-cache/cache.sqlite")) as db:
        assert db.execute("SELECT count(*) FROM articles").fetchone() == (20,)


def test_a_first_build_compiles_each_template_once_for_all_its_workers(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A helper process compiles the theme into the cache while the build starts, and the
    rendering workers load it (each compiled all of it itself before); the pages are the
    same as a one-process build's."""
    monkeypatch.setitem(MIN_ITEMS, "parse", 2)
    monkeypatch.setitem(MIN_ITEMS, "render", 2)
    assert can_fork(2, 2, "render")
    log = tmp_path / "compiled.log"
    compile_template = jinja2.Environment.compile

    def logged(self: jinja2.Environment, source: str, name: str | None = None, *args: Any) -> Any:
        with log.open("a") as file:  # forked processes inherit this and write here too
            file.write(f"{os.getpid()} {name}\n")
        return compile_template(self, source, name, *args)

    monkeypatch.setattr(jinja2.Environment, "compile", logged)
    rng = random.Random(13)
    root = make_site({f"content/a{i:02d}.md": random_article(rng, i) for i in range(40)})
    build(root, tmp_path / "out", jobs=2)
    compiled = [line.split() for line in log.read_text().splitlines()]
    names = [name for _, name in compiled]
    assert {"base.html", "article.html", "listing.html", "_teaser.html"} <= set(names)
    assert len(names) == len(set(names))  # each once
    assert len({pid for pid, _ in compiled}) == 1 and compiled[0][0] != str(os.getpid())
    monkeypatch.undo()
    build(root, tmp_path / "serial", use_cache=False, jobs=1)
    assert tree(tmp_path / "out") == tree(tmp_path / "serial")


def test_a_rebuild_reads_only_the_content_files_that_changed(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first build leaves hashing each file to the parser that reads it (there is no
    cache to look anything up in); the hashes must still be remembered, so the next build
    recognises the unchanged files by their size and time without reading them."""
    monkeypatch.setitem(MIN_ITEMS, "parse", 2)  # the first build: in workers
    assert can_fork(2, 2, "parse")
    root = make_site({f"content/a{i}.md": article(f"A{i}") for i in range(6)})
    out = tmp_path / "out"
    build(root, out, jobs=2)
    (root / "content/a4.md").write_text(article("A4 corrected"))
    reads: list[str] = []
    read = loading._read
    monkeypatch.setattr(loading, "_read", lambda site, rel: reads.append(rel) or read(site, rel))
    assert build(root, out, jobs=1).parsed == 1
    assert set(reads) == {"content/a4.md"}
    assert "A4 corrected" in (out / "a4/index.html").read_text()


def test_a_build_asks_each_content_file_for_its_size_and_time_once(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stamps that tell whether the cache's hash of a file still holds are the ones the
    build took of its inputs as it started (thousands of files: asking again cost a
    rebuild 15 ms); the edited file is still read and rebuilt."""
    root = make_site({f"content/a{i}.md": article(f"A{i}") for i in range(3)})
    out = tmp_path / "out"
    build(root, out)
    (root / "content/a1.md").write_text(article("A1 corrected"))
    asked: list[str] = []
    stat = os.stat
    monkeypatch.setattr(
        os, "stat", lambda path, *a, **k: asked.append(str(path)) or stat(path, *a, **k)
    )
    assert build(root, out, jobs=1).parsed == 1
    content = [os.path.basename(path) for path in asked if path.endswith(".md")]
    assert sorted(content) == [f"a{i}.md" for i in range(3)]  # by name in its folder, or by path
    assert "A1 corrected" in (out / "a1/index.html").read_text()


def test_failed_build_keeps_what_it_parsed(make_site: MakeSite, tmp_path: Path) -> None:
    """Fixing one bad file of a big archive must not mean parsing all the others again."""
    files = {f"content/a{i}.md": article(f"A{i}") for i in range(5)}
    root = make_site({**files, "content/bad.md": "---\ntitle: [unclosed\n---\nBody\n"})
    with pytest.raises(ContentError):
        build(root, tmp_path / "out")
    (root / "content/bad.md").write_text(article("Fixed"))
    assert build(root, tmp_path / "out").parsed == 1


def test_failed_build_remembers_the_files_it_read(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The content files' hashes (which spare the next build reading them) are stored
    when the cache closes, a failed build's too: after fixing the bad file, the one
    edited before it is not read again."""
    root = make_site({f"content/a{i}.md": article(f"A{i}") for i in range(4)})
    out = tmp_path / "out"
    build(root, out)
    (root / "content/a1.md").write_text(article("A1 edited"))
    (root / "content/a2.md").write_text("---\ntitle: [unclosed\n---\nBody\n")
    with pytest.raises(ContentError):
        build(root, out)
    (root / "content/a2.md").write_text(article("A2 fixed"))
    read: list[str] = []
    real = loading._read
    monkeypatch.setattr(loading, "_read", lambda site, rel: read.append(rel) or real(site, rel))
    build(root, out)
    assert set(read) == {"content/a2.md"}  # hashed, then parsed: a1.md is known
    assert "A1 edited" in (out / "a1/index.html").read_text()


def test_unchanged_rebuild_still_publishes_articles_that_came_due(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_site(
        {
            "content/now.md": article("Now", "2025-12-31"),
            "content/later.md": article("Later", "2026-01-02"),
        }
    )
    out = tmp_path / "out"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01
    build(root, out)
    assert not (out / "later").exists()
    assert build(root, out).seconds == {}  # nothing changed: nothing done
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767398400")  # 2026-01-03
    build(root, out)
    assert (out / "later/index.html").is_file()


def test_touched_but_unchanged_file_rewrites_nothing(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site({"content/a.md": article("A"), "content/b.md": article("B")})
    out = tmp_path / "out"
    build(root, out)
    (root / "content/a.md").write_text((root / "content/a.md").read_text())  # new mtime
    report = build(root, out)
    assert report.seconds != {}  # the inputs' signature changed, so it looked
    assert (report.parsed, report.written, report.removed) == (0, 0, 0)


@pytest.mark.parametrize(
    "include",
    ['{% include "_count.html" %}', '{% set part = "_count.html" %}{% include part %}'],
    ids=["named", "computed"],
)
def test_a_template_reading_site_is_remade_when_any_article_changes(
    make_site: MakeSite, tmp_path: Path, include: str
) -> None:
    """Tag pages have no tag.html here and fall back to listing.html, which reads `site`
    only through an included template (named, or computed: assume it reads everything).
    Adding an article the X tag page does not show must still remake that page."""
    root = make_site(
        {
            "content/a.md": article("A", "2025-01-01", tags="[X]"),
            "content/b.md": article("B", "2025-01-02", tags="[Y]"),
            "templates/listing.html": "{% extends 'base.html' %}{% block main %}"
            + include
            + "{% endblock %}",
            "templates/_count.html": "<p>{{ site.articles | length }} in all</p>",
        }
    )
    out = tmp_path / "out"
    build(root, out)
    assert "2 in all" in (out / "tag/x/index.html").read_text()
    (root / "content/c.md").write_text(article("C", "2025-01-03", tags="[Y]"))
    build(root, out)
    assert "3 in all" in (out / "tag/x/index.html").read_text()


def test_a_build_that_fails_while_rendering_is_not_remembered(
    make_site: MakeSite, tmp_path: Path
) -> None:
    """What describes a build's output is held in the cache from the time its workers
    render and kept only once the output is published: a build that fails in between must
    fail again next time, not be taken for one that is up to date."""
    root = make_site({"content/a.md": article("A", "2025-01-01")})
    out = tmp_path / "out"
    build(root, out)
    before = tree(out)
    (root / "templates").mkdir()
    (root / "templates/article.html").write_text(
        "{% extends 'base.html' %}{% block main %}{{ no_such_name }}{% endblock %}"
    )
    for _ in range(2):
        with pytest.raises(ContentError) as failed:
            build(root, out)
        assert "no_such_name" in " ".join(map(str, failed.value.problems))
    assert tree(out) == before
    (root / "templates/article.html").unlink()
    build(root, out)
    assert tree(out) == before


def test_a_forked_share_that_fails_is_worked_out_again_here() -> None:
    """start_map's workers send back their share; one that fails (or dies) sends none,
    and this process works that share out itself, so a real failure is raised here."""
    assert can_fork(3, 30, "helper")
    parent = os.getpid()

    def only_here(i: int) -> int:
        if os.getpid() != parent:
            raise RuntimeError("a worker fails")
        return i * i

    assert start_map(only_here, 30, 3, "helper")() == [i * i for i in range(30)]

    def everywhere(i: int) -> int:
        raise ValueError(f"item {i}")

    waiting = start_map(everywhere, 30, 3, "helper")  # started: nothing is raised yet
    with pytest.raises(ValueError, match="item 0"):
        waiting()


def test_a_new_base_path_reaches_every_link_through_the_cache(
    make_site: MakeSite, tmp_path: Path
) -> None:
    """Jinja works out `'/css/site.css' | url` when it compiles a template, and compiled
    templates are kept in the cache: moving the site under a path (or previewing it at
    another address) must not leave links of the old base path in the output."""
    root = make_site({"content/a.md": article("A", "2025-01-01")})
    build(root, tmp_path / "preview", base_url="http://127.0.0.1:8000/")
    out = tmp_path / "out"
    (root / "sitegen.yaml").write_text("base_url: https://example.org/archive/\n")
    build(root, out)
    assert 'href="/archive/css/site.css"' in (out / "index.html").read_text()
    build(root, tmp_path / "cold", use_cache=False)
    assert tree(out) == tree(tmp_path / "cold")


def test_related_articles_are_chosen_again_only_when_tags_or_dates_change(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cache remembers the related articles a build chose (stored while its workers
    render); a rebuild after an edit that leaves every URL, date and tag alone reuses them."""
    root = make_site(
        {f"content/a{i}.md": article(f"A{i}", f"2025-01-0{i + 1}", tags="[X, Y]") for i in range(6)}
    )
    out = tmp_path / "out"
    build(root, out)
    chosen: list[int] = []
    real = related.find_related

    def counted(*args: Any, **kwargs: Any) -> Any:
        chosen.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr("sitegen.build.stages.find_related", counted)
    (root / "content/a1.md").write_text(article("A1 edited", "2025-01-02", tags="[X, Y]"))
    build(root, out)
    assert chosen == []
    (root / "content/a1.md").write_text(article("A1 edited", "2025-01-02", tags="[X]"))
    build(root, out)
    assert chosen == [1]
    build(root, tmp_path / "cold", use_cache=False)
    assert tree(out) == tree(tmp_path / "cold")


def test_a_worker_whose_build_is_gone_leaves_quietly() -> None:
    """A build that fails while forked workers still choose related articles exits without
    reading their results; each worker then finds no one to send them to, and must end
    without printing a traceback under the build's error."""
    script = (
        "import os\n"
        "from sitegen.runtime.pool import start_map\n"
        "start_map(lambda i: 'x' * 100_000, 40, 2, 'helper')\n"  # 2 MB a share: more than a pipe holds
        "os._exit(1)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 1
    assert done.stderr == ""


def test_a_changed_sitegen_of_the_same_version_parses_and_renders_again(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cache keys hold a digest of sitegen's own code, not only its version: a fix
    installed from Git, or a developer's edit, must not reuse what the old code made."""
    from sitegen.cache import version

    root = make_site({f"content/a{i}.md": article(f"A{i}", slug=f"a{i}") for i in range(3)})
    out = tmp_path / "out"
    build(root, out)
    assert build(root, out).site is None  # nothing changed: the no-op shortcut
    code = tmp_path / "code"
    code.mkdir()
    (code / "one.py").write_text("print('sitegen, changed')\n")
    monkeypatch.setattr(version, "PACKAGE", code)
    version.code_version.cache_clear()
    try:
        again = build(root, out)
        assert again.site is not None and again.parsed == 3  # every article parsed again
        assert again.written > 0  # and every page made again
    finally:
        version.code_version.cache_clear()
