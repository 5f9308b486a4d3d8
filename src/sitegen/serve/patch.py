"""Saves that move nothing: applied to the planned site in place.

Most saves change an article's words: its body, title, summary, caption. Those move no
page: no address, no listing's order or members, no related choice, no image to make
changes. The site planned before keeps its shape, and only the pages that show the
article are to be made again. Planning a 50,000-article site again took 4-12 s for it;
this takes milliseconds. Each changed article is changed in place, since its object is
the one every listing, feed and page of the plan holds, and what was worked out from it
(fingerprints, teasers, feed entries) is forgotten: each page that shows it is made
again when it is asked for, as a rebuild would make it. Anything else (a file added,
removed or renamed, a date, tag, slug, byline or image changed, a new problem) is left
to planning the site again (serve.live), as is every save after a failed one.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from sitegen.build.words import WORDS
from sitegen.build.words import stays_in_place as _stays_in_place
from sitegen.cache.codec import Loaded
from sitegen.config.settings import Config
from sitegen.content.article import missing_images
from sitegen.content.loading import Held, parse_one
from sitegen.errors import Problem, sort_problems
from sitegen.model import Article, Site

Parse = Callable[[str], tuple[str, Loaded]]  # a saved file -> its cache key and parse


@dataclass(frozen=True)
class _Change:
    target: Article  # the site's article, changed in place
    new: Article  # as the file parses now
    key: str  # its cache key (Article.digest)
    problems: list[Problem]  # the new parse's


@dataclass(frozen=True)
class InPlace:
    """Saves found to move nothing, not applied yet (see `apply`): a save of a file as it
    was stops nothing, not even the catch-up of the pages nobody opened."""

    changes: tuple[_Change, ...]  # the articles whose words changed (none: a save as it was)
    warnings: Warnings  # the site's warnings once they are applied


def in_place(
    config: Config,
    site: Site,
    static: Mapping[str, object],
    sources: dict[str, tuple[Article, ...]],
    held: Held,
    warnings: Warnings,
    changed: Collection[str],
    parse: Parse,
) -> InPlace | None:
    """Whether the saves of the files `changed` (site-relative paths) can be applied to
    the plan in place, and what they change; None when one of them moves anything (see
    the module's docstring): the caller plans the site again then. Changes nothing.
    `sources`: the plan's articles by file, filled when first needed; `parse`: a saved
    file's key and parse (`saved_parses`)."""
    if config.search or not changed or not all(rel.endswith(".md") for rel in changed):
        return None
    index_sources(site, sources)
    changes = []
    for rel in changed:
        targets = sources.get(rel, ())
        if len(targets) != 1:
            return None  # new, removed, a draft, not yet published, or respelled copies
        target = targets[0]
        key, (new, problems) = parse(rel)
        if new is None or any(problem.is_error for problem in problems):
            return None
        if key != target.digest:
            if not _stays_in_place(target, new, site):
                held.loaded.setdefault(key, (new, problems))  # planning again reuses it
                return None
            changes.append(_Change(target, new, key, problems))
    files = [(str(c.target.source.path), c.target, c.new, c.problems) for c in changes]
    now = warnings_after(warnings, held, static, files)
    return None if now is None else InPlace(tuple(changes), now)


def apply(found: InPlace, forget: Callable[[Collection[Article]], None], held: Held) -> None:
    """Change the plan's articles in place and `forget` what was worked out from them; the
    caller forgets the fingerprints it worked out (and stops whatever reads the plan)."""
    for change in found.changes:
        _change_in_place(change, held)
    forget([change.target for change in found.changes])


def saved_parses(config: Config) -> Parse:
    """A saved file's cache key and parse, as a load makes them (serve is never --strict),
    each file parsed once however many ways of applying its save look at it."""
    return functools.cache(lambda rel: parse_one(config, False, rel))


def index_sources(site: Site, sources: dict[str, tuple[Article, ...]]) -> None:
    """Fill `sources` with the site's articles by file, unless done (0.2 s at 50,000
    articles: the preview's catch-up does it while the editor reads)."""
    if not sources:
        sources.update(_by_source(site))  # (one step: threads share it)


def _by_source(site: Site) -> dict[str, tuple[Article, ...]]:
    """The site's article objects by file (a path with several, or none, is not patched)."""
    found: dict[str, dict[int, Article]] = {}
    every = (*site.every_article, *site.every_page)
    for article in (*every, *(a for group in site.translations.values() for a in group)):
        found.setdefault(str(article.source.path), {})[id(article)] = article
    return {rel: tuple(objects.values()) for rel, objects in found.items()}


class Warnings:
    """A plan's warnings by file: a save applied to the plan replaces its files' own, and an
    archive's 100,000 warnings are not sorted or compared again for it. Grouped by file
    when first asked (most plans are replaced before any save is applied to them); put in
    one sequence again only when asked (the preview prints only the saved files')."""

    def __init__(
        self, problems: tuple[Problem, ...], by_path: dict[str, tuple[Problem, ...]] | None = None
    ) -> None:
        if by_path is None:
            self.__dict__["_all"] = problems  # in file and line order (errors.sort_problems)
        else:
            self.__dict__["_by_path"] = by_path

    @functools.cached_property
    def _by_path(self) -> dict[str, tuple[Problem, ...]]:
        return {
            path: tuple(found)
            for path, found in itertools.groupby(self._all, lambda p: str(p.location.path))
        }

    @functools.cached_property
    def _all(self) -> tuple[Problem, ...]:
        by_path = self._by_path
        return tuple(itertools.chain.from_iterable(by_path[path] for path in sorted(by_path)))

    def at(self, path: str) -> tuple[Problem, ...]:
        return self._by_path.get(path, ())

    def replaced(self, found: Mapping[str, Sequence[Problem]]) -> Warnings:
        """These files' warnings replaced by `found`."""
        by_path = dict(self._by_path)
        for path, problems in found.items():
            if problems:
                by_path[path] = tuple(sort_problems(problems))
            else:
                by_path.pop(path, None)
        return Warnings((), by_path)

    def all(self) -> tuple[Problem, ...]:
        return self._all


def warnings_after(
    warnings: Warnings,
    held: Held,
    static: Mapping[str, object],
    files: Iterable[tuple[str, Article | None, Article | None, Sequence[Problem]]],
) -> Warnings | None:
    """The warnings with the saved files' own replaced: their parse's and their missing
    lead image's (whose line may have moved). Each file: (path, its article on the site
    before and after the save (None: not on it), the new parse's problems). None if a file
    had another warning, from a stage that looks at several articles, or, not on the site
    before, had any: planning again finds them anew."""
    found: dict[str, list[Problem]] = {}
    for path, old, new, problems in files:
        before: list[Problem] = []
        if old is not None:
            loaded = held.loaded.get(old.digest)
            if loaded is None:
                return None
            before = [*loaded[1], *missing_images((old,), static)]
        if any(w not in before for w in warnings.at(path)):
            return None
        found[path] = [*problems, *(missing_images((new,), static) if new else ())]
    return warnings.replaced(found)


def _change_in_place(change: _Change, held: Held) -> None:
    """The site's article takes the new words; the parse results a later planning reuses
    keep each version (a save undone is the old one again, found by its key)."""
    target = change.target
    before = held.loaded.get(target.digest)
    if before is not None and before[0] is target:
        held.loaded[target.digest] = (dataclasses.replace(target), before[1])
    for name in WORDS:
        object.__setattr__(target, name, getattr(change.new, name))  # frozen: see above
    held.loaded[change.key] = (target, change.problems)


def changed_sources(site_dir: Path, paths: Iterable[Path]) -> list[str] | None:
    """Saved files as site-relative paths; None if one is outside the site."""
    found = []
    for path in paths:
        try:
            found.append(path.relative_to(site_dir).as_posix())
        except ValueError:
            return None
    return found
