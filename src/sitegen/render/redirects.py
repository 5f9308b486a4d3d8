"""Old addresses (articles' `aliases`, sitegen.yaml's `redirects`) -> redirect pages,
`_redirects`, an nginx map, and the redirect pages' specs (render.clashes finds
addresses another output holds already).

A moved archive must keep every link that readers, search engines and other sites hold.
A static file answers a path: each path alias gets a small page that sends browsers on
(meta refresh, no script) and tells search engines where the article is now (canonical).
An address with a query string (`/?p=123`) reaches the server's index page instead, so
only the server can redirect it: `_redirects` (Netlify, Cloudflare Pages) and
`nginx-redirects.conf` list every alias for the hosts that read them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import NamedTuple

from sitegen import urls
from sitegen.config.settings import CONFIG_NAME
from sitegen.errors import Location
from sitegen.model import Article, Site
from sitegen.render.pages import PageSpec

NETLIFY = "_redirects"
NGINX = "nginx-redirects.conf"
TEMPLATES = ("redirect.html",)


@dataclass(frozen=True)
class RedirectTarget:
    """Where a redirect of sitegen.yaml leads, as redirect.html shows it (as an article)."""

    url: str
    title: str
    lang: str = ""


class OldAddresses(NamedTuple):
    """Old addresses of one page: an article's `aliases`, or one line of `redirects:`."""

    where: Location  # what to change: the article's `aliases`, or the line of sitegen.yaml
    aliases: tuple[str, ...]  # none of them the target's own URL (those are left out)
    target: Article | RedirectTarget
    source: Location | None  # the article, when they are an article's

    @property
    def key(self) -> str:
        """The key that holds them, as messages name it."""
        return "aliases" if self.source else "redirects"


def old_addresses(site: Site) -> list[OldAddresses]:
    """Every old address the site answers, by what holds it. An alias that is the page's
    own URL ('/hello' of the article at '/hello/': one page) is left out: it needs nothing."""
    every = (*site.every_article, *site.every_page)
    found = [old for old in map(article_addresses, every) if old is not None]
    if site.config.redirects:
        titles = _titles(site)
        for redirect in site.config.redirects:
            if moved := _moved((redirect.old,), redirect.new):
                target = RedirectTarget(redirect.new, titles.get(redirect.new, redirect.new))
                where = Location(PurePosixPath(CONFIG_NAME), redirect.line)
                found.append(OldAddresses(where, moved, target, None))
    return found


def article_addresses(article: Article) -> OldAddresses | None:
    """The old addresses of one article, if it has any but its own URL."""
    if article.aliases and (moved := _moved(article.aliases, article.url)):
        return OldAddresses(article.location("aliases"), moved, article, article.source)
    return None


def _moved(aliases: tuple[str, ...], url: str) -> tuple[str, ...]:
    return tuple(alias for alias in aliases if urls.alias_url(alias) != url)


def _titles(site: Site) -> dict[str, str]:
    """The title of each page a redirect of sitegen.yaml may lead to."""
    titles = {tag.url: tag.name for tag in site.tags}
    titles.update(
        (article.url, article.title) for article in (*site.every_article, *site.every_page)
    )
    return titles


def redirect_specs(site: Site) -> Iterator[PageSpec]:
    """A redirect page at each alias that is a path; '/a' and '/a/' of one article share it."""
    for old in old_addresses(site):
        yield from redirect_pages(old)


def redirect_pages(old: OldAddresses) -> Iterator[PageSpec]:
    """The redirect pages of one page's old addresses that are paths."""
    done: set[str] = set()
    for url in map(urls.alias_url, old.aliases):
        if url is None or url in done:
            continue
        done.add(url)
        context = {"target": old.target, "url": url}
        yield PageSpec(url, TEMPLATES, context, old.where, in_sitemap=False, kind="redirect")


def redirect_rules(site: Site) -> list[tuple[str, str]]:
    """(old address as browsers send it, new URL under base_url) for every alias, sorted.
    One rule per address whatever its case: nginx's map compares without case."""
    base_path, hosts = site.config.base_path, site.config.hosts
    rules: dict[str, tuple[str, str]] = {}
    for old in old_addresses(site):
        new = old.target.url  # on a language's own domain: there, as an absolute URL
        new = site.config.absolute(new) if urls.host_of(new, hosts)[0] else base_path + new
        for alias in map(urls.alias_request, old.aliases):
            rules.setdefault(alias.casefold(), (alias, new))
    return sorted(rules.values())


def netlify_redirects(rules: Sequence[tuple[str, str]]) -> bytes:
    """Netlify's and Cloudflare Pages' `_redirects`: `FROM TO 301`, and for an address with
    a query `PATH key=value ... TO 301!` (Netlify's syntax; forced, or the home page's own
    file would shadow `/ p=123`; Cloudflare Pages skips these lines)."""
    lines = [
        "# Old addresses (sitegen 'aliases' and 'redirects'), for Netlify and Cloudflare",
        "# Pages. Cloudflare Pages skips the query lines (key=value): sitegen's docs/urls.md.",
    ]
    for alias, target in rules:
        path, has_query, query = alias.partition("?")
        if has_query:
            pairs = " ".join(pair for pair in query.split("&") if pair)
            lines.append(f"{path} {pairs} {target} 301!")
        else:
            lines.append(f"{path} {target} 301")
    return ("\n".join(lines) + "\n").encode("utf-8")


def nginx_map(rules: Sequence[tuple[str, str]]) -> bytes:
    """An nginx `map` from the requested address (path and query) to the new URL."""
    longest = max(len(alias.encode("utf-8")) for alias, _ in rules)
    lines = [
        "# Old addresses (sitegen 'aliases' and 'redirects') and their new URLs, for nginx.",
        "# In the http block:      include /path/to/build/nginx-redirects.conf;",
        "# In the server block:    if ($sitegen_redirect) { return 301 $sitegen_redirect; }",
        "# The two sizes below fit these addresses; drop them if your http block sets its own.",
        f"map_hash_bucket_size {_power_of_two(4 * (longest + 16), 64)};",
        f"map_hash_max_size {_power_of_two(2 * len(rules), 2048)};",
        "map $request_uri $sitegen_redirect {",
        '    default "";',
    ]
    lines += [f"    {_quoted(alias)} {_quoted(target)};" for alias, target in rules]
    lines.append("}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _power_of_two(at_least: int, minimum: int) -> int:
    size = minimum
    while size < at_least:
        size *= 2
    return size


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
