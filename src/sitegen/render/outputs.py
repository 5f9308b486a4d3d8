"""Site -> every output file as (path, fingerprint, how to make its bytes).

A fingerprint hashes everything a file is made from: for a page, the sitegen version, the
config, every template, and the articles in its context (each known by the hash of its
source); pages whose template reads `site` also depend on every article. A rebuild makes
only the files whose fingerprint changed since the last build of the same output folder.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Collection, Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import jinja2
from jinja2 import meta, nodes

from sitegen.cache.store import digest
from sitegen.cache.version import code_version
from sitegen.content.manifest import stamp_or_unreadable, walk_folders
from sitegen.images.store import made_images_dir
from sitegen.model import Article, Listing, ListingPage, Site
from sitegen.render.feeds import FeedRenderer, FeedSpec, feed_specs
from sitegen.render.hosts import hosted_copies
from sitegen.render.pages import PageSpec
from sitegen.render.redirects import NETLIFY, NGINX, netlify_redirects, nginx_map, redirect_rules
from sitegen.render.sitemap import SitemapEntry, host_sitemaps

T = TypeVar("T")


@dataclass(eq=False)
class Output:
    """One file of the built site, not yet made. Its fingerprint is worked out when first
    asked for: a first build makes every file anyway and needs them only to remember."""

    path: str
    key: Callable[[], str]  # -> the fingerprint
    make: Callable[[], bytes]
    kind: str  # "static", "page", "redirect", "feed", "index" (sitemap, robots), "search"
    near: float = 0.0  # a listing: its lastmod, the newest article's (update) date (_make_outdated)

    @functools.cached_property
    def fingerprint(self) -> str:
        return self.key()


def constant(value: T) -> Callable[[], T]:
    """A value already known, as Output.key or Output.make want it: a function."""
    return lambda: value


def plan_outputs(
    site: Site,
    env: jinja2.Environment,
    theme_dirs: Sequence[Path],
    specs: Sequence[PageSpec],
    static: Mapping[str, Path],
    render: Callable[[PageSpec], bytes],
    memo: MutableMapping[str, bool] | None = None,
    *,
    read_static: Callable[[Path], bytes],
    article_keys: MutableMapping[tuple[Any, ...], str] | None = None,
    forgets: list[Callable[[Collection[Article]], None]] | None = None,
    trace: MutableMapping[str, Shown] | None = None,
) -> list[Output]:
    """Every output file with its fingerprint; making the bytes is left to the caller.
    `memo` remembers, across builds, which template chains read `site`; `article_keys`,
    kept by a long-lived caller (serve), what each article adds to fingerprints. To
    `forgets` are added the functions that forget what was worked out from articles that
    a caller then changes in place (serve.patch): the caller forgets the fingerprints.
    `trace` is filled, as each fingerprint is worked out, with the articles its file
    shows (build.record: what a word-only build remakes)."""
    keys = _Keys(site, env, theme_dirs, {} if memo is None else memo, article_keys)
    keys.trace = trace
    made = f"{made_images_dir(site.config.site_dir)}{os.sep}"
    if hosts := site.config.hosts:  # languages on their own domains: a copy in each folder
        copies = {copy: static[o] for copy, o in hosted_copies(static, hosts).items()}
        static = {**copies, **static}  # static/fa/x wins over the copy of static/x
    outputs = [
        Output(rel, constant(_static_key(src, made)), _bound(read_static, src), "static")
        for rel, src in static.items()
    ]
    outputs += [
        Output(s.output_path, _bound(keys.page, s), _bound(render, s), s.kind, _near(s))
        for s in specs
    ]
    render_feed = FeedRenderer()
    if forgets is not None:
        forgets += [keys.forget, render_feed.forget]
    outputs += [
        Output(f.path, _bound(keys.feed, f), _bound(render_feed, f), "feed")
        for f in feed_specs(site)
    ]
    entries = [SitemapEntry(s.url, s.lastmod, _alternates(s)) for s in specs if s.in_sitemap]
    index_key = functools.cache(lambda: digest(keys.base, repr(entries)))
    for path, make in host_sitemaps(entries, site.config.site_url, site.config.hosts):
        outputs.append(Output(path, index_key, make, "index"))
    if rules := redirect_rules(site):  # for servers: every alias, with a query or not
        rules_key = functools.cache(lambda: digest(keys.base, repr(rules)))
        for path, data in ((NETLIFY, netlify_redirects(rules)), (NGINX, nginx_map(rules))):
            outputs.append(Output(path, rules_key, constant(data), "index"))
    return outputs


@dataclass(frozen=True)
class Shown:
    """What an output's fingerprint was made from: the articles in its context (as the
    fingerprint knows them), and whether its templates read `site` (then every article)."""

    spec: PageSpec | FeedSpec
    articles: tuple[Article, ...]
    reads_site: bool


def _alternates(spec: PageSpec) -> tuple[tuple[str, str], ...]:
    """A page's versions in every language, for the sitemap (none on one-language sites)."""
    return tuple((a.lang, a.url) for a in spec.context.get("alternates", ()))


def _near(spec: PageSpec) -> float:
    generated = spec.source is None  # a listing, not an article's own page
    return spec.lastmod.timestamp() if generated and spec.lastmod else 0.0


def _bound(function: Callable[[Any], T], argument: Any) -> Callable[[], T]:
    return lambda: function(argument)


class _Keys:
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
        self._article_keys = {} if article_keys is None else article_keys
        self._template_keys: dict[tuple[str, ...], str] = {}
        self._reads: dict[str, tuple[frozenset[str], tuple[str, ...]]] = {}
        self._of_url: dict[str, str] = {}  # article URL -> its part, as worked out
        self.trace: MutableMapping[str, Shown] | None = None  # see plan_outputs
        self._shown: list[Article] | None = None  # the articles of the page being keyed

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
            key = self._article_keys.get(parts)
            if key is None:
                key = self._article_keys[parts] = digest(*parts)
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
            shown, self._shown = tuple(self._shown), None
            self.trace[spec.output_path] = Shown(spec, shown, self.uses_site(spec.templates))
        return digest(self._template_key(spec.templates), repr(context))

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
    src = article.image.src
    return repr((site.image_sizes.get(src), site.pictures.get(src)))


def _templates_digest(dirs: Iterable[Path]) -> str:
    parts: list[str | bytes] = []
    for folder in dirs:
        found = (Path(root, name) for root, names in walk_folders(str(folder)) for name in names)
        for path in sorted(found):  # as rglob("*"), without its recursion (deep folders)
            if path.is_file():
                parts += [str(path.relative_to(folder)), _bytes_or_nothing(path)]
    return digest(*parts)


def _static_key(path: Path, made_images: str) -> str:
    """A static file's path and stamp; an image the image stage made is known by its path
    alone, which holds the hash of what it is made from (12,000 stats fewer at 1,000 photos)."""
    name = str(path)
    if name.startswith(made_images):
        return digest(name)
    return digest(name, stamp_or_unreadable(path))


def _bytes_or_nothing(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:  # unreadable: rendering with it reports that (ThemeLoader)
        return b"\0"
