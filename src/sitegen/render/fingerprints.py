"""Fingerprints of pages and feeds: what each is made of, hashed (render.outputs).

A page's fingerprint hashes the sitegen version, the config, every template, and the
articles in its context (each known by the hash of its source); pages whose template
reads `site` also depend on every article.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterable, MutableMapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import meta, nodes

from sitegen.cache.store import digest
from sitegen.cache.version import code_version
from sitegen.content.manifest import walk_folders
from sitegen.model import Article, Listing, ListingPage, Pictures, Site
from sitegen.render.feeds import FeedSpec
from sitegen.render.pages import PageSpec


@dataclass(frozen=True, slots=True)
class Shown:
    """What an output's fingerprint was made from: the articles in its context (as the
    fingerprint knows them), and whether its templates read `site` (then every article).
    One per output of a full build (97,752 at 50,000 articles): slots, no dict each."""

    spec: PageSpec | FeedSpec
    articles: tuple[Article, ...]
    reads_site: bool


class PageKeys:
    """Fingerprints of pages and feeds, from the hashes of the articles they show. Worked
    out when first asked for: a first build asks only while its workers render."""

    def __init__(
        self,
        site: Site,
        env: jinja2.Environment,
        theme_dirs: Sequence[Path],
        memo: MutableMapping[str, bool],
        article_keys: MutableMapping[tuple[Any, ...], str] | None = None,
    ) -> None:
        self._site, self.env, self._theme_dirs, self.memo = site, env, theme_dirs, memo
        self._article_keys = article_keys  # None: a build's, worked out once each anyway
        self._template_keys: dict[tuple[str, ...], str] = {}
        self._reads: dict[str, tuple[frozenset[str], tuple[str, ...]]] = {}
        self._of_url: dict[str, str] = {}  # article URL -> its part, as worked out
        self.trace: MutableMapping[str, Shown] | None = None  # see outputs.plan_outputs
        self._shown: list[Article] | None = None  # the articles of the page being keyed
        self._items: tuple[Article, ...] = ()  # its listing page's, if it has one

    @functools.cached_property
    def base(self) -> str:
        return digest(code_version(), repr(self._site.config), _templates_digest(self._theme_dirs))

    def _article(self, a: Article) -> str:
        """What one article adds to the fingerprints of the pages that show it: worked
        out when first needed (the preview asks for one page's few after a save, not for
        the 50,000 of the archive: 0.5 s)."""
        if self._shown is not None:
            self._shown.append(a)
        key = self._of_url.get(a.url)
        if key is None:
            parts = (a.digest, a.author.name, _size(self._site, a), *(t.name for t in a.tags))
            memo = self._article_keys  # serve's; a build's kept 50,000 parts (10 MB) in vain
            key = memo.get(parts) if memo is not None else None
            if key is None:
                key = digest(*parts)
                if memo is not None:
                    memo[parts] = key
            self._of_url[a.url] = key
        return key

    def forget(self, changed: Collection[Article]) -> None:
        """Work out again what these articles, changed in place, add to fingerprints."""
        for article in changed:
            self._of_url.pop(article.url, None)
        self.__dict__.pop("site", None)
        self._template_keys.clear()

    @functools.cached_property
    def site(self) -> str:
        """What a page that reads `site` depends on: every article, every language's (and
        the config, in `base`). Not the related articles, which follow from these: looking
        at them would choose them all, which the preview does one page at a time
        (assemble.related)."""
        every = (a for e in self._site.all_editions for a in (*e.articles, *e.pages))
        return digest(self.base, *{a.url: self._article(a) for a in every}.values())

    def page(self, spec: PageSpec) -> str:
        if self.trace is not None:
            self._shown = []
        context = [(name, self._key(value)) for name, value in spec.context.items()]
        if self.trace is not None and self._shown is not None:
            shown, self._shown = self._as_tuple(self._shown), None
            self.trace[spec.output_path] = Shown(spec, shown, self.uses_site(spec.templates))
        return digest(self._template_key(spec.templates), repr(context))

    def _as_tuple(self, shown: list[Article]) -> tuple[Article, ...]:
        """A page's articles; a listing page's own tuple when they are its items (half
        the outputs of an archive, each a tuple more in the main process until the
        record is kept)."""
        items, self._items = self._items, ()
        return items if len(items) == len(shown) and items else tuple(shown)

    def _template_key(self, templates: tuple[str, ...]) -> str:
        """What the templates add to a page's fingerprint: worked out once per chain."""
        key = self._template_keys.get(templates)
        if key is None:
            whole_site = self.site if self.uses_site(templates) else ""
            key = self._template_keys[templates] = digest(self.base, repr(templates), whole_site)
        return key

    def feed(self, feed: FeedSpec) -> str:
        if self.trace is not None:
            self.trace[feed.path] = Shown(feed, feed.articles, False)
        items = [self._article(a) for a in feed.articles]
        return digest(self.base, feed.path, feed.page_url, feed.title, *items)

    def uses_site(self, templates: tuple[str, ...]) -> bool:
        key = f"{self.base} {' '.join(templates)}"  # base covers every template's text
        if key not in self.memo:
            try:
                self.memo[key] = "site" in self._names_used(templates)
            except jinja2.TemplateError:
                self.memo[key] = True  # rendering will report it; never skip
        return self.memo[key]

    def _names_used(self, templates: tuple[str, ...]) -> set[str]:
        """Variables the first of `templates` the theme has reads, with everything it
        extends, includes or imports."""
        used: set[str] = set()
        todo, seen = [self._chosen(templates)], set()
        while todo:
            name = todo.pop()
            if name not in seen:
                seen.add(name)
                names, referenced = self._read(name)
                used |= names
                todo += referenced
        return used

    def _chosen(self, templates: tuple[str, ...]) -> str:
        """The template of `templates` a page gets: the first the theme has (as Jinja's
        select_template, without compiling it)."""
        for name in templates[:-1]:  # the last one: its TemplateNotFound is the answer
            try:
                self._read(name)
                return name
            except jinja2.TemplateNotFound:
                continue
        return templates[-1]

    def _read(self, name: str) -> tuple[frozenset[str], tuple[str, ...]]:
        """The variables one template reads, and the templates it names; each template is
        parsed once a build, however many chains share it (base.html: all of them)."""
        found = self._reads.get(name)
        if found is None:
            assert self.env.loader is not None
            source, _, _ = self.env.loader.get_source(self.env, name)
            tree = self.env.parse(source)
            # every name read anywhere (meta.find_undeclared_variables misses names in blocks)
            used = {node.name for node in tree.find_all(nodes.Name) if node.ctx == "load"}
            referenced = tuple(meta.find_referenced_templates(tree))
            if None in referenced:  # a computed template name: assume the worst
                used.add("site")
            found = self._reads[name] = frozenset(used), tuple(filter(None, referenced))
        return found

    def _key(self, value: Any) -> Any:
        """What of a context value goes into a fingerprint (run for every page of every
        build: the common cases come first and avoid generators)."""
        if isinstance(value, Article):
            return self._article(value)
        if isinstance(value, ListingPage):
            self._items = value.items
            items = [self._article(a) for a in value.items]
            return (value.number, value.total, value.url, tuple(items))
        if isinstance(value, Listing):
            term = value.term.name if value.term else None
            return (value.kind, value.title, value.url, value.count, term, len(value.pages))
        if isinstance(value, tuple | list):
            return tuple([self._key(item) for item in value])
        if isinstance(value, Site):  # a language's own: `site` reads are keyed by self.site
            return ("site", value.lang)
        return value


def _size(site: Site, article: Article) -> str:
    """The lead image's pixel size and made sizes: a replaced image file changes the
    page's markup."""
    if not article.image:
        return "None"
    src, pictures = article.image.src, site.pictures
    # (what a Picture is made from, not the Picture: made only for the pages rendered)
    made = pictures.key(src) if isinstance(pictures, Pictures) else pictures.get(src)
    return repr((site.image_sizes.get(src), made))


def _templates_digest(dirs: Iterable[Path]) -> str:
    parts: list[str | bytes] = []
    for folder in dirs:
        found = (Path(root, name) for root, names in walk_folders(str(folder)) for name in names)
        for path in sorted(found):  # as rglob("*"), without its recursion (deep folders)
            if path.is_file():
                parts += [str(path.relative_to(folder)), _bytes_or_nothing(path)]
    return digest(*parts)


def _bytes_or_nothing(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:  # unreadable: rendering with it reports that (ThemeLoader)
        return b"\0"
