"""Site -> every output file as (path, fingerprint, how to make its bytes).

A fingerprint hashes everything a file is made from: for a page, the sitegen version, the
config, every template, and the articles in its context (each known by the hash of its
source); pages whose template reads `site` also depend on every article. A rebuild makes
only the files whose fingerprint changed since the last build of the same output folder.
"""

from __future__ import annotations

import functools
import itertools
import os
from collections.abc import Callable, Collection, Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import jinja2

from sitegen.cache.store import digest, digest_all
from sitegen.content.manifest import stamp_or_unreadable
from sitegen.images.formats import Sizes
from sitegen.images.store import made_images_dir
from sitegen.model import Article, Site
from sitegen.render.feeds import FeedRenderer, FeedSpec, feed_specs
from sitegen.render.fingerprints import PageKeys, Shown
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
    kind: str  # "static", "page", "redirect", "feed", "index" (sitemap, robots), "search",
    # "size" (one made size of a static image: see `sizes`)
    near: float = 0.0  # a listing: its lastmod, the newest article's (update) date (_make_outdated)
    # an image's made sizes, published with it: one output, its fingerprint names them
    # all (grouped_fingerprint); parts() gives each. 9,000 outputs more for 1,000 photos
    # were a third of a rebuild, in fingerprints, checks and the cache's rows.
    sizes: Sizes | None = None

    @functools.cached_property
    def fingerprint(self) -> str:
        return self.key()

    def parts(self) -> list[Output]:
        """The files this output stands for: itself, and its sizes each on its own."""
        if self.sizes is None:
            return [self]
        sizes = self.sizes
        return [self] + [
            Output(path, constant(""), functools.partial(_read, file), "size")
            for path, file in zip(sizes.paths, sizes.files, strict=True)
        ]


GROUPED = "\0"  # in a fingerprint: the paths of the files published with its output follow


def grouped_fingerprint(key: str, paths: Iterable[str]) -> str:
    """The fingerprint of an output published with more files (its sizes): those files'
    paths are part of it, so that the output's last fingerprint tells what it had."""
    return GROUPED.join((key, *paths))


def grouped_paths(fingerprint: str) -> list[str]:
    """The paths of the files published with an output of this fingerprint, if any."""
    return fingerprint.split(GROUPED)[1:] if GROUPED in fingerprint else []


def every_path(plan: Sequence[Output]) -> list[str]:
    """Every file's path of the plan, the sizes published with outputs included."""
    paths = [output.path for output in plan]
    for output in plan:
        if output.sizes is not None:
            paths += output.sizes.paths
    return paths


def _read(file: str) -> bytes:
    return Path(file).read_bytes()


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
    sizes: Mapping[str, Sizes] | None = None,
    grouped: bool = False,
    trace: MutableMapping[str, Shown] | None = None,
) -> list[Output]:
    """Every output file with its fingerprint; making the bytes is left to the caller.
    `memo` remembers, across builds, which template chains read `site`; `article_keys`,
    kept by a long-lived caller (serve), what each article adds to fingerprints. To
    `forgets` are added the functions that forget what was worked out from articles that
    a caller then changes in place (serve.patch): the caller forgets the fingerprints.
    `sizes`: the made sizes of static images, published beside them; `grouped`, as one
    output with each image (Output.sizes), else each its own output. `trace` is filled,
    as each fingerprint is worked out, with the articles its file shows (build.record:
    what a word-only build remakes)."""
    maker = OutputMaker(site, env, theme_dirs, render, memo, article_keys)
    maker.keys.trace = trace
    if forgets is not None:
        forgets += maker.forgets
    made = f"{made_images_dir(site.config.site_dir)}{os.sep}"
    sizes = sizes or {}
    if hosts := site.config.hosts:  # languages on their own domains: a copy in each folder
        shared = hosted_copies(static, hosts)
        copies = {copy: static[o] for copy, o in shared.items()}
        sizes = {**_copied_sizes(shared, sizes), **sizes}
        static = {**copies, **static}  # static/fa/x wins over the copy of static/x
    outputs = _static_outputs(static, sizes, made, read_static, grouped=grouped)
    outputs += [maker.page(spec) for spec in specs]
    outputs += [maker.feed(feed) for feed in feed_specs(site)]
    return outputs + maker.indexes(sitemap_entries(specs))


def sitemap_entries(specs: Iterable[PageSpec]) -> list[SitemapEntry]:
    return [SitemapEntry(s.url, s.lastmod, _alternates(s)) for s in specs if s.in_sitemap]


class OutputMaker:
    """How one plan makes its pages, feeds, sitemaps and redirect maps into outputs: their
    fingerprints (from what they show) and their bytes."""

    def __init__(
        self,
        site: Site,
        env: jinja2.Environment,
        theme_dirs: Sequence[Path],
        render: Callable[[PageSpec], bytes],
        memo: MutableMapping[str, bool] | None = None,
        article_keys: MutableMapping[tuple[Any, ...], str] | None = None,
    ) -> None:
        self.site = site
        self.keys = PageKeys(site, env, theme_dirs, {} if memo is None else memo, article_keys)
        self.render = render
        self.render_feed = FeedRenderer()

    @property
    def forgets(self) -> list[Callable[[Collection[Article]], None]]:
        """What forgets the work done on articles changed in place (serve.patch)."""
        return [self.keys.forget, self.render_feed.forget]

    def page(self, spec: PageSpec) -> Output:
        key, make = _bound(self.keys.page, spec), _bound(self.render, spec)
        return Output(spec.output_path, key, make, spec.kind, _near(spec))

    def feed(self, feed: FeedSpec) -> Output:
        return Output(
            feed.path, _bound(self.keys.feed, feed), _bound(self.render_feed, feed), "feed"
        )

    def indexes(self, entries: Sequence[SitemapEntry]) -> list[Output]:
        """The sitemaps and robots.txt of `entries`, and the redirect maps for servers."""
        site, keys = self.site, self.keys
        outputs = []
        index_key = functools.cache(lambda: _hashed(keys.base, entries))
        for path, make in host_sitemaps(entries, site.config.site_url, site.config.hosts):
            outputs.append(Output(path, index_key, make, "index"))
        if rules := redirect_rules(site):  # for servers: every alias, with a query or not
            rules_key = functools.cache(lambda: _hashed(keys.base, rules))
            for path, data in ((NETLIFY, netlify_redirects(rules)), (NGINX, nginx_map(rules))):
                outputs.append(Output(path, rules_key, constant(data), "index"))
        return outputs


def _hashed(base: str, items: Iterable[object]) -> str:
    """The digest of `base` and each item's repr, made one by one: the repr of the
    sitemaps' 97,752 entries at 50,000 articles, whole, was 30 MB at a cold build's peak."""
    return digest_all(itertools.chain([base], map(repr, items)))


def _copied_sizes(shared: Mapping[str, str], sizes: Mapping[str, Sizes]) -> dict[str, Sizes]:
    """The sizes of each copy of an image in a language's folder ('fa/images/a.jpg': its
    sizes as 'fa/images/a-480w.webp', ...)."""
    copied = {}
    for copy, path in shared.items():
        if (made := sizes.get(path)) is not None:
            folder = copy[: len(copy) - len(path)]
            copied[copy] = made._replace(paths=tuple(folder + p for p in made.paths))
    return copied


def _static_outputs(
    static: Mapping[str, Path],
    sizes: Mapping[str, Sizes],
    made: str,
    read_static: Callable[[Path], bytes],
    *,
    grouped: bool,
) -> list[Output]:
    outputs = [
        Output(rel, constant(_static_key(src, made)), _bound(read_static, src), "static")
        for rel, src in static.items()
    ]
    if grouped:
        for output in outputs:
            if (found := sizes.get(output.path)) is not None:
                key = f"{output.key()} {found.key}"
                output.key, output.sizes = constant(grouped_fingerprint(key, found.paths)), found
        return outputs
    for group in sizes.values():
        outputs += [
            Output(path, constant(digest(file)), _bound(read_static, Path(file)), "static")
            for path, file in zip(group.paths, group.files, strict=True)
        ]
    return outputs


def _alternates(spec: PageSpec) -> tuple[tuple[str, str], ...]:
    """A page's versions in every language, for the sitemap (none on one-language sites)."""
    return tuple((a.lang, a.url) for a in spec.context.get("alternates", ()))


def _near(spec: PageSpec) -> float:
    generated = spec.source is None  # a listing, not an article's own page
    return spec.lastmod.timestamp() if generated and spec.lastmod else 0.0


def _bound(function: Callable[[Any], T], argument: Any) -> Callable[[], T]:
    return lambda: function(argument)


def _static_key(path: Path, made_images: str) -> str:
    """A static file's path and stamp; an image the image stage made is known by its path
    alone, which holds the hash of what it is made from (12,000 stats fewer at 1,000 photos)."""
    name = str(path)
    if name.startswith(made_images):
        return digest(name)
    return digest(name, stamp_or_unreadable(path))
