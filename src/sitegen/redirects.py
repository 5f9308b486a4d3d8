"""Old addresses (`aliases`) -> redirect pages, `_redirects` and an nginx map.

A moved archive must keep every link that readers, search engines and other sites hold.
A static file answers a path: each path alias gets a small page that sends browsers on
(meta refresh, no script) and tells search engines where the article is now (canonical).
An address with a query string (`/?p=123`) reaches the server's index page instead, so
only the server can redirect it: `_redirects` (Netlify, Cloudflare Pages) and
`nginx-redirects.conf` list every alias for the hosts that read them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from sitegen.model import Article, Site
from sitegen.pages import PageSpec

NETLIFY = "_redirects"
NGINX = "nginx-redirects.conf"


def redirect_specs(site: Site) -> Iterator[PageSpec]:
    """A redirect page at each alias that is a plain path."""
    for article in _with_aliases(site):
        for alias in article.aliases:
            if "?" in alias:
                continue
            url = alias if alias.endswith("/") or "." in alias.rsplit("/", 1)[1] else alias + "/"
            context = {"target": article, "url": url}
            where = article.location("aliases")
            yield PageSpec(url, ("redirect.html",), context, where, in_sitemap=False)


def redirect_rules(site: Site) -> list[tuple[str, str]]:
    """(old address, new site-relative URL) for every alias, sorted."""
    base_path = site.config.base_path
    rules = {alias: base_path + a.url for a in _with_aliases(site) for alias in a.aliases}
    return sorted(rules.items())


def netlify_redirects(rules: Sequence[tuple[str, str]]) -> bytes:
    """Netlify's and Cloudflare Pages' `_redirects`: `FROM [key=value ...] TO 301`."""
    lines = ["# Old addresses of moved articles (sitegen 'aliases'); read by Netlify and"]
    lines.append("# Cloudflare Pages (which ignores the query-string lines).")
    for alias, target in rules:
        path, _, query = alias.partition("?")
        conditions = " ".join(part for part in query.split("&") if part)
        lines.append(" ".join(part for part in (path, conditions, target, "301") if part))
    return ("\n".join(lines) + "\n").encode("utf-8")


def nginx_map(rules: Sequence[tuple[str, str]]) -> bytes:
    """An nginx `map` from the requested address (path and query) to the new URL."""
    lines = [
        "# Old addresses of moved articles (sitegen 'aliases'). In nginx's http block:",
        "#     include /path/to/nginx-redirects.conf;",
        "# and in the site's server block:",
        "#     if ($sitegen_redirect) { return 301 $sitegen_redirect; }",
        "map $request_uri $sitegen_redirect {",
        '    default "";',
    ]
    lines += [f"    {_quoted(alias)} {_quoted(target)};" for alias, target in rules]
    lines.append("}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _with_aliases(site: Site) -> Iterator[Article]:
    return (a for a in (*site.articles, *site.pages) if a.aliases)
