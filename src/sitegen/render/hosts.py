"""Links of a site whose languages live on domains of their own (`languages: fa: base_url`).

The build keeps each language's pages under its prefix (`fa/x/index.html`), as Hugo's
"multihost" mode writes each language into `public/<lang>/`: the folder `fa/` is published
as the root of `https://fa.example.org/`. So a page's site links are rewritten after it is
rendered: a link to a page on the same domain loses the language prefix ('/fa/x/' ->
'/x/'), a link to a page on another domain becomes absolute ('https://example.org/x/'). A
file that is no page (a stylesheet, an image, the search index) is copied into every
domain's folder (`hosted_copies`), so a page links it on its own domain.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from sitegen import urls
from sitegen.render.relative import site_links_changed

_PAGE_ENDINGS = ("/", ".html", ".xml")  # a page, a redirect page, a feed or sitemap


def is_page_link(path: str) -> bool:
    """Whether a site path (no query or fragment) names a page or feed of one language,
    as opposed to a file every domain has a copy of."""
    return path.endswith(_PAGE_ENDINGS)


def host_base_path(base_url: str) -> str:
    """The path of a domain's base_url without its last '/' ('' at the domain's root)."""
    return urlsplit(base_url).path.rstrip("/")


def on_own_domains(
    html: str, page_url: str, base_path: str, site_url: str, hosts: Mapping[str, str]
) -> str:
    """The links of the page at `page_url` (a site URL, '/fa/x/') as its own domain
    needs them; `base_path` is the site's (every site link starts with it)."""
    page_host = urls.host_of(page_url, hosts)[0]

    def change(link: str) -> str:
        if base_path:
            if link != base_path and not link.startswith(base_path + "/"):
                return link  # not one of the site's links
            link = link[len(base_path) :] or "/"
        path = link.split("?", 1)[0].split("#", 1)[0]
        host, on_host = urls.host_of(link, hosts)
        if not host and not is_page_link(path):
            host, on_host = page_host, link  # a shared file: this domain's copy
        if host != page_host:
            return urls.hosted_permalink(site_url, hosts, link)
        own_base = host_base_path(hosts[host]) if host else base_path
        return own_base + on_host

    return site_links_changed(html, change)


def hosted_copies(paths: Mapping[str, object], hosts: Mapping[str, str]) -> dict[str, str]:
    """Output path of each copy a language's domain needs -> the shared file's own path
    ('css/site.css' -> 'fa/css/site.css' and so on)."""
    return {
        f"{prefix[1:]}/{path}": path
        for prefix in hosts
        for path in paths
        if urls.host_of("/" + path, hosts)[0] == ""
    }
