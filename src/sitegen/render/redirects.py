"""Old addresses (`aliases`) -> redirect pages, `_redirects`, an nginx map, and the
problems of addresses that another output holds already.

A moved archive must keep every link that readers, search engines and other sites hold.
A static file answers a path: each path alias gets a small page that sends browsers on
(meta refresh, no script) and tells search engines where the article is now (canonical).
An address with a query string (`/?p=123`) reaches the server's index page instead, so
only the server can redirect it: `_redirects` (Netlify, Cloudflare Pages) and
`nginx-redirects.conf` list every alias for the hosts that read them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, NamedTuple

from sitegen import urls
from sitegen.errors import Location, Problem, error
from sitegen.model import Article, Site
from sitegen.render.pages import PageSpec

if TYPE_CHECKING:  # outputs.py imports this module
    from sitegen.render.outputs import Output

NETLIFY = "_redirects"
NGINX = "nginx-redirects.conf"
TEMPLATES = ("redirect.html",)


def redirect_specs(site: Site) -> Iterator[PageSpec]:
    """A redirect page at each alias that is a path; '/a' and '/a/' of one article share it."""
    for article in _with_aliases(site):
        done: set[str] = set()
        for url in map(urls.alias_url, article.aliases):
            if url is None or url in done:
                continue
            done.add(url)
            context = {"target": article, "url": url}
            where = article.location("aliases")
            yield PageSpec(url, TEMPLATES, context, where, in_sitemap=False, kind="redirect")


def redirect_rules(site: Site) -> list[tuple[str, str]]:
    """(old address as browsers send it, new URL under base_url) for every alias, sorted.
    One rule per address whatever its case: nginx's map compares without case."""
    base_path = site.config.base_path
    rules: dict[str, tuple[str, str]] = {}
    for article in _with_aliases(site):
        for alias in map(urls.alias_request, article.aliases):
            rules.setdefault(alias.casefold(), (alias, base_path + article.url))
    return sorted(rules.values())


def netlify_redirects(rules: Sequence[tuple[str, str]]) -> bytes:
    """Netlify's and Cloudflare Pages' `_redirects`: `FROM TO 301`, and for an address with
    a query `PATH key=value ... TO 301!` (Netlify's syntax; forced, or the home page's own
    file would shadow `/ p=123`; Cloudflare Pages skips these lines)."""
    lines = [
        "# Old addresses of moved articles (sitegen 'aliases'), for Netlify and Cloudflare",
        "# Pages. Cloudflare Pages skips the lines with a query (key=value): see README.",
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
        "# Old addresses of moved articles (sitegen 'aliases') and their new URLs, for nginx.",
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


class _Holder(NamedTuple):
    """What holds an address already, for the message about a second claim on it."""

    key: str  # the output path, or for an address with a query the address
    url: str  # as the holder wrote it
    what: str  # "the URL of the tags page", "an alias of content/b.md:4"
    source: Location | None = None  # the article whose own page it is


def alias_clashes(site: Site, pages: Iterable[PageSpec], plan: Iterable[Output]) -> list[Problem]:
    """Old addresses another output holds already: a page, feed or static file, another
    alias, the same path but for case (the two overwrite each other on macOS, Windows and
    many hosts, and nginx refuses such a map), or a folder where a file is."""
    if not any(_with_aliases(site)):
        return []
    owners = {spec.output_path: (spec.owner, spec.source) for spec in pages}
    files: dict[str, _Holder] = {}
    for output in plan:
        if output.kind != "redirect":
            owner, source = owners.get(output.path, (_describe(output), None))
            holder = _Holder(output.path, _url(output.path), f"the URL of {owner}", source)
            files[output.path.casefold()] = holder
    folders = {folder: holder for path, holder in files.items() for folder in folders_of(path)}
    requests: dict[str, _Holder] = {}  # old addresses with a query, as nginx compares them
    problems = []
    for article in _with_aliases(site):
        where = article.location("aliases")
        taken: set[str] = set()  # '/a' and '/a/' of one article share one page
        for alias in article.aliases:
            url = urls.alias_url(alias)
            key = urls.alias_request(alias) if url is None else urls.output_path(url)
            if key in taken:
                continue
            taken.add(key)
            if url is None:
                problem = _clash(alias, key, requests, {}, article)
            else:
                problem = _clash(alias, key, files, folders, article)
            if problem:
                problems.append(error(where, f"aliases: {problem}"))
                continue
            mine = _Holder(key, alias, f"an alias of {where}")
            if url is None:
                requests[key.casefold()] = mine
            else:
                files[key.casefold()] = mine
                folders.update((folder, mine) for folder in folders_of(key.casefold()))
    return problems


def _clash(
    alias: str, key: str, claims: dict[str, _Holder], folders: dict[str, _Holder], article: Article
) -> str:
    """What holds `key` (an output path, or an address with a query) already, as a message."""
    if holder := claims.get(key.casefold()):
        if holder.source == article.source and holder.key == key:
            return f"{alias!r} is the URL of this article itself; remove it"
        if holder.key == key:
            return f"{alias!r} is also {holder.what}; remove it"
        return f"{alias!r} differs only in case from {holder.url!r}, {holder.what}; remove it"
    if holder := folders.get(key.casefold()):
        where = _url(key) + "/"
        return (
            f"{alias!r} needs a file where the site has the folder {where!r} "
            f"(for {holder.url!r}, {holder.what}); remove it"
        )
    for folder in folders_of(key.casefold()) if folders else ():
        if holder := claims.get(folder):
            where = f"needs a folder where {holder.url!r} is a file"
            return f"{alias!r} {where}, {holder.what}; remove it"
    return ""


def folders_of(path: str) -> Iterator[str]:
    """'a/b/index.html' -> 'a', 'a/b' (the folders a file needs)."""
    parts = path.split("/")
    for end in range(1, len(parts)):
        yield "/".join(parts[:end])


def _url(path: str) -> str:
    return "/" + path.removesuffix("index.html")


def _describe(output: Output) -> str:
    if output.kind == "static":
        return f"static/{output.path}"
    return f"the generated file {output.path!r}"


def _power_of_two(at_least: int, minimum: int) -> int:
    size = minimum
    while size < at_least:
        size *= 2
    return size


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _with_aliases(site: Site) -> Iterator[Article]:
    return (a for a in (*site.articles, *site.pages) if a.aliases)
