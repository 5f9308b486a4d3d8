"""`sitegen check`: everything a build checks, plus what only a built site shows (links
and images that lead nowhere) and what editors tend to forget, without touching build/.

The site is built into .sitegen-cache/check/ (kept, so the next check only remakes what
changed), then every internal link and image reference of every page is followed.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from sitegen.build import build
from sitegen.cache.store import CACHE_DIR
from sitegen.check.links import BrokenLink, broken_links
from sitegen.errors import Location, Problem, error, shown, sort_problems, warning
from sitegen.model import Article

CHECK_OUTPUT = "check"


@dataclass(frozen=True)
class CheckReport:
    articles: int
    pages: int
    problems: tuple[Problem, ...]  # errors and warnings, in file order

    @property
    def errors(self) -> int:
        return sum(p.is_error for p in self.problems)


def check_site(
    site_dir: Path,
    *,
    include_drafts: bool = False,
    include_future: bool = False,
    strict: bool = False,
) -> CheckReport:
    """Check SITE_DIR; content errors raise SitegenError as a build would."""
    output = site_dir / CACHE_DIR / CHECK_OUTPUT  # kept: the next check only remakes changes
    report = build(
        site_dir,
        output,
        include_drafts=include_drafts,
        include_future=include_future,
        strict=strict,
        skip_unchanged=False,  # the site itself is needed below
        search=False,  # the index is not checked, and at 5,000 articles it takes 20 s
    )
    site = report.site
    assert site is not None
    broken = broken_links(output, site.config.site_url, site.config.hosts)
    for prefix, base_url in site.config.hosts.items():  # a language's folder: its domain
        folder = prefix[1:]
        found = broken_links(output / folder, base_url)
        broken += [dataclasses.replace(b, page=f"{folder}/{b.page}") for b in found]
    link_problems = _link_problems(broken, site.every_article, site_dir)
    problems = [*report.warnings, *editorial_warnings(site.every_article), *link_problems]
    return CheckReport(report.articles, report.pages, tuple(sort_problems(problems)))


def editorial_warnings(articles: Sequence[Article]) -> list[Problem]:
    """What an editor would want to know before publishing: untagged articles (they never
    appear in related links or tag pages) and titles used twice (readers cannot tell
    the two apart in listings, feeds and search results)."""
    problems = []
    by_title: dict[str, list[Article]] = defaultdict(list)
    for article in articles:
        if not article.tags:
            problems.append(
                warning(article.location("tags"), "no tags; readers find articles by their tags")
            )
        by_title[" ".join(article.title.casefold().split())].append(article)
    for same in by_title.values():
        for article in same if len(same) > 1 else ():
            others = [str(a.source.path) for a in same if a is not article]
            more = f" and {len(others) - 2} more" if len(others) > 3 else ""
            named = ", ".join(others[:2] if more else others)
            problems.append(
                warning(article.location("title"), f"title: also used by {named}{more}")
            )
    return problems


def _link_problems(
    broken: Sequence[BrokenLink], articles: Sequence[Article], site_dir: Path
) -> list[Problem]:
    """One problem per broken link and place to fix it: the article whose Markdown or
    `image` field holds it (at its line), else the page, as a link the theme made. A
    missing lead image shows on every listing with the article's teaser; it is reported
    once, at the article."""
    pages = {article.output_path: article for article in articles}
    lead_images = {a.image.src: a for a in articles if a.image}
    sources: dict[Path, str] = {}
    found: dict[tuple[str, str], tuple[Location, int]] = {}  # -> first place, how many
    for link in broken:
        where = None
        for article in (pages.get(link.page), lead_images.get(link.link)):
            if article is not None and where is None:
                path = site_dir / str(article.source.path)
                if path not in sources:
                    sources[path] = _read(path)
                line = _line_of(sources[path], link.link)
                where = Location(article.source.path, line) if line else None
        message = f"link {shown(link.link)} leads nowhere: {link.reason}"
        if where is None:  # the same theme link on many pages: once, at the first
            where, message = Location(PurePosixPath(link.page)), f"{message} (made by the theme)"
        key = (str(where) if where.line else "theme", message)
        first, count = found.get(key, (where, 0))
        found[key] = (first, count + 1)
    problems = []
    for (_, message), (where, count) in found.items():
        also = f" (on {count} pages)" if count > 1 and where.line is None else ""
        problems.append(error(where, message + also))
    return problems


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except OSError:
        return ""


def _line_of(source: str, text: str) -> int | None:
    index = source.find(text)
    return None if index < 0 else source.count("\n", 0, index) + 1
