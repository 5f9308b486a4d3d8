"""`aliases`: every old address of a moved article keeps working. A path gets a redirect
page; every alias, with a query or not, goes into `_redirects` and the nginx map; an alias
another output holds, or that is no path of the site, is an error naming file and line."""

from __future__ import annotations

import http.client
import shutil
import socket
import subprocess
import time
from pathlib import Path, PurePosixPath
from typing import Any

import html5lib
import pytest
from click.testing import CliRunner

from sitegen.cache.codec import decode_loaded, encode_loaded
from sitegen.cli import cli
from sitegen.config.settings import Config
from sitegen.content.article import load_article
from sitegen.markup.engine import MarkdownRenderer
from tests.conftest import BuildSite, MakeSite, article
from tests.test_build import tree

NS = {"h": "http://www.w3.org/1999/xhtml"}
VIGIL = '["/2019/05/03/vigil/", "/old.html", "/news/vigil", "/?p=123", "/index.php?p=123&lang=en"]'


def redirect_of(page: Path) -> dict[str, Any]:
    """What a redirect page tells browsers, search engines and readers."""
    document = html5lib.parse(page.read_bytes(), namespaceHTMLElements=True)

    def attribute(path: str, name: str) -> str | None:
        found = document.findall(path, NS)
        assert len(found) == 1, path
        return found[0].get(name)

    assert document.find(".//h:script", NS) is None  # no JavaScript needed
    return {
        "refresh": attribute(".//h:meta[@http-equiv='refresh']", "content"),
        "canonical": attribute(".//h:link[@rel='canonical']", "href"),
        "robots": attribute(".//h:meta[@name='robots']", "content"),
        "link": attribute(".//h:body//h:a", "href"),
        "title": "".join(document.find(".//h:title", NS).itertext()),
    }


def build_cli(root: Path, out: Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["build", str(root), "-o", str(out)])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_alias_paths_get_redirect_pages_to_the_article(
    make_site: MakeSite, build_site: BuildSite
) -> None:
    root = make_site({"content/vigil.md": article("Vigil", aliases=VIGIL)})
    out = build_site(root)
    expected = {
        "refresh": "0; url=/vigil/",
        "canonical": "https://example.org/vigil/",
        "robots": "noindex",
        "link": "/vigil/",
        "title": "Vigil · News Archive",
    }
    for page in ("2019/05/03/vigil/index.html", "old.html", "news/vigil/index.html"):
        assert redirect_of(out / page) == expected, page
    assert not (out / "index.php").exists()  # a query: the server's job, no page


def test_alias_redirects_honour_a_base_url_with_a_path(
    make_site: MakeSite, build_site: BuildSite
) -> None:
    root = make_site(
        {
            "sitegen.yaml": "base_url: https://example.org/archive/\n",
            "content/vigil.md": article("Vigil", aliases='["/2019/05/03/vigil/", "/?p=123"]'),
        }
    )
    out = build_site(root)
    assert redirect_of(out / "2019/05/03/vigil/index.html") == {
        "refresh": "0; url=/archive/vigil/",
        "canonical": "https://example.org/archive/vigil/",
        "robots": "noindex",
        "link": "/archive/vigil/",
        "title": "Vigil · News Archive",
    }
    assert "/ p=123 /archive/vigil/ 301!" in (out / "_redirects").read_text()
    assert '"/?p=123" "/archive/vigil/";' in (out / "nginx-redirects.conf").read_text()


def test_alias_server_files_list_every_alias_sorted(
    make_site: MakeSite, build_site: BuildSite
) -> None:
    root = make_site(
        {
            "content/vigil.md": article("Vigil", aliases=VIGIL),
            "content/rally.md": article("Rally", aliases='["/?p=7", "/2019/rally/"]'),
        }
    )
    out = build_site(root)
    assert (out / "_redirects").read_text().splitlines() == [
        "# Old addresses (sitegen 'aliases' and 'redirects'), for Netlify and Cloudflare",
        "# Pages. Cloudflare Pages skips the query lines (key=value): sitegen's docs/urls.md.",
        "/2019/05/03/vigil/ /vigil/ 301",
        "/2019/rally/ /rally/ 301",
        "/ p=123 /vigil/ 301!",
        "/ p=7 /rally/ 301!",
        "/index.php p=123 lang=en /vigil/ 301!",
        "/news/vigil /vigil/ 301",
        "/old.html /vigil/ 301",
    ]
    nginx = (out / "nginx-redirects.conf").read_text().splitlines()
    assert nginx[:6] == [
        "# Old addresses (sitegen 'aliases' and 'redirects') and their new URLs, for nginx.",
        "# In the http block:      include /path/to/build/nginx-redirects.conf;",
        "# In the server block:    if ($sitegen_redirect) { return 301 $sitegen_redirect; }",
        "# The two sizes below fit these addresses; drop them if your http block sets its own.",
        "map_hash_bucket_size 256;",
        "map_hash_max_size 2048;",
    ]
    assert nginx[nginx.index("map $request_uri $sitegen_redirect {") :] == [
        "map $request_uri $sitegen_redirect {",
        '    default "";',
        '    "/2019/05/03/vigil/" "/vigil/";',
        '    "/2019/rally/" "/rally/";',
        '    "/?p=123" "/vigil/";',
        '    "/?p=7" "/rally/";',
        '    "/index.php?p=123&lang=en" "/vigil/";',
        '    "/news/vigil" "/vigil/";',
        '    "/old.html" "/vigil/";',
        "}",
    ]


def test_alias_with_escapes_is_a_page_at_the_decoded_path(
    make_site: MakeSite, build_site: BuildSite
) -> None:
    """Servers decode a path before looking for its file; rules name it as browsers send it."""
    aliases = '["/2019/rassemblement-%c3%a0-paris/", "/2019/rassemblement-à-paris/", "/?s=à"]'
    root = make_site({"content/rally.md": article("Rally", aliases=aliases)})
    out = build_site(root)
    assert redirect_of(out / "2019/rassemblement-à-paris/index.html")["link"] == "/rally/"
    assert not list(out.rglob("*%*"))
    lines = (out / "_redirects").read_text().splitlines()[2:]
    assert lines == ["/2019/rassemblement-%C3%A0-paris/ /rally/ 301", "/ s=%C3%A0 /rally/ 301!"]


def test_alias_pages_are_in_no_sitemap_feed_or_listing(
    make_site: MakeSite, build_site: BuildSite
) -> None:
    root = make_site({"content/vigil.md": article("Vigil", tags="[Paris]", aliases=VIGIL)})
    out = build_site(root)
    for listed in ("sitemap.xml", "feed.xml", "atom.xml", "index.html", "tag/paris/index.html"):
        text = (out / listed).read_text()
        assert "2019/05/03" not in text and "old.html" not in text, listed


def test_alias_files_are_written_only_when_an_article_has_aliases(
    make_site: MakeSite, build_site: BuildSite
) -> None:
    out = build_site(make_site({"content/a.md": article("A")}))
    assert not (out / "_redirects").exists() and not (out / "nginx-redirects.conf").exists()


def test_alias_build_is_byte_identical_twice(
    make_site: MakeSite, build_site: BuildSite, tmp_path: Path
) -> None:
    root = make_site(
        {
            "content/vigil.md": article("Vigil", aliases=VIGIL),
            "content/rally.md": article("Rally", aliases='["/?p=7", "/2019/rally/"]'),
        }
    )
    first = tree(build_site(root, tmp_path / "one", use_cache=False))
    assert first == tree(build_site(root, tmp_path / "two", use_cache=False))
    assert first == tree(build_site(root, tmp_path / "three"))  # through the cache


def test_alias_added_and_removed_updates_pages_and_files(
    make_site: MakeSite, build_site: BuildSite
) -> None:
    root = make_site({"content/a.md": article("A"), "content/b.md": article("B")})
    out = build_site(root)
    (root / "content/a.md").write_text(article("A", aliases='["/old/a/", "/?p=1"]'))
    build_site(root, out)
    assert redirect_of(out / "old/a/index.html")["link"] == "/a/"
    assert "/old/a/ /a/ 301" in (out / "_redirects").read_text()
    (root / "content/b.md").write_text(article("B", body="Changed."))  # a.md from the cache
    build_site(root, out)
    assert (out / "old/a/index.html").is_file() and "/ p=1 " in (out / "_redirects").read_text()
    (root / "content/a.md").write_text(article("A", aliases='["/?p=1"]'))
    build_site(root, out)
    assert not (out / "old").exists()
    assert "/old/a/" not in (out / "_redirects").read_text()
    assert "/?p=1" in (out / "nginx-redirects.conf").read_text()
    (root / "content/a.md").write_text(article("A"))
    build_site(root, out)
    assert not (out / "_redirects").exists() and not (out / "nginx-redirects.conf").exists()


def test_alias_survives_the_parse_cache(tmp_path: Path) -> None:
    text = article("A", aliases='["/old/", "/?p=1"]', categories="[News]")
    path = PurePosixPath("content/pages/a.md")  # a standalone page, which keeps it too
    loaded = load_article(text.encode(), path, Config(site_dir=tmp_path), MarkdownRenderer())
    assert loaded[0] is not None and loaded[0].aliases == ("/old/", "/?p=1")
    again = decode_loaded(encode_loaded(loaded), loaded[0].body, loaded[0].excerpt_html)
    assert again == loaded


def test_alias_template_can_be_replaced_by_the_theme(
    make_site: MakeSite, build_site: BuildSite
) -> None:
    root = make_site(
        {
            "content/a.md": article("A", aliases='["/old/"]'),
            "templates/redirect.html": "moved to {{ target.url | url }}\n",
        }
    )
    assert (build_site(root) / "old/index.html").read_text() == "moved to /a/\n"


REFUSED = [
    ('["old/"]', "'old/' must be a path on this site starting with one '/'"),
    ('["//evil.example/x/"]', "'//evil.example/x/' must be a path on this site"),
    ('["/a/../../etc/"]', "'/a/../../etc/' may not hold '..', empty parts, spaces, backslashes"),
    ('["/%2e%2e/etc/"]', "'/%2e%2e/etc/' may not hold '..'"),
    ('["/a%2fb/"]', "'/a%2fb/' may not hold '..'"),
    ('["/a//b/"]', "'/a//b/' may not hold '..', empty parts"),
    ('["/a\\\\b/"]', "'/a\\\\b/' may not hold '..', empty parts, spaces, backslashes"),
    ('["/a b/"]', "'/a b/' may not hold '..', empty parts, spaces"),
    ('["/a\\u0000b/"]', "'/a\\x00b/' may not hold '..', empty parts, spaces, backslashes, control"),
    ('["/a\\tb/"]', "'/a\\tb/' may not hold '..', empty parts, spaces, backslashes, control"),
    ('["/a:b/"]', """'/a:b/' may not hold '..', empty parts, spaces, backslashes, control characters or < > : " | *"""),  # noqa: E501
    ('["/%ff/"]', "'/%ff/' has %-escapes that are not UTF-8 text"),
    ('["/old./"]', "'/old./' has a part ending in '.', which Windows drops from file names"),
    ('["/con/"]', "'/con/' holds 'con', which is a name Windows reserves for devices"),
    ('["/2019/LPT1.html"]', "'/2019/LPT1.html' holds 'LPT1.html', which is a name Windows"),
    ('["/old#part"]', "'/old#part' has a '#' part, which browsers never send to the server"),
    ('["/?"]', "'/?' needs key=value pairs joined by '&' after '?' (no spaces), e.g. '/?p=123'"),
    ('["/?p=1 2"]', "'/?p=1 2' needs key=value pairs joined by '&' after '?' (no spaces)"),
    ('["/?feed"]', "'/?feed' needs key=value pairs joined by '&' after '?' (no spaces)"),
    ('["/?p=1&&q=2"]', "'/?p=1&&q=2' needs key=value pairs joined by '&' after '?'"),
    ('"/old/"', "expected a list, got text '/old/'"),
    ("[true]", "expected a list of text, got an item true (a boolean)"),
]  # fmt: skip
CLASHES = [
    ('["/tags/"]', "'/tags/' is also the URL of the tags page; remove it"),
    ('["/"]', "'/' is also the URL of the home page; remove it"),
    ('["/tag/x"]', "'/tag/x' is also the URL of the tag page; remove it"),
    ('["/2025/"]', "'/2025/' is also the URL of the year page; remove it"),
    ('["/b/"]', "'/b/' is also the URL of content/b.md:1; remove it"),
    ('["/b/index.html"]', "'/b/index.html' is also the URL of content/b.md:1; remove it"),
    ('["/a/index.html"]', "'/a/index.html' is the URL of this article itself; remove it"),
    ('["/feed.xml"]', "'/feed.xml' is also the URL of the generated file 'feed.xml'"),
    ('["/tag/x/atom.xml"]', "'/tag/x/atom.xml' is also the URL of the generated file"),
    ('["/sitemap.xml"]', "'/sitemap.xml' is also the URL of the generated file 'sitemap.xml'"),
    ('["/logo.png"]', "'/logo.png' is also the URL of static/logo.png; remove it"),
    ('["/Tags/"]', "'/Tags/' differs only in case from '/tags/', the URL of the tags page"),
    ('["/B/"]', "'/B/' differs only in case from '/b/', the URL of content/b.md:1; remove it"),
    ('["/Logo.png"]', "'/Logo.png' differs only in case from '/logo.png', the URL of static/logo.png"),  # noqa: E501
    ('["/feed.xml/"]', "'/feed.xml/' needs a folder where '/feed.xml' is a file, the URL of the generated file 'feed.xml'"),  # noqa: E501
    ('["/x.html/y/", "/x.html"]', "'/x.html' needs a file where the site has the folder '/x.html/' (for '/x.html/y/', an alias of content/a.md:4)"),  # noqa: E501
    ('["/old/", "/OLD/"]', "'/OLD/' differs only in case from '/old/', an alias of content/a.md:4"),
    ('["/?p=1", "/?P=1"]', "'/?P=1' differs only in case from '/?p=1', an alias of content/a.md:4"),
]  # fmt: skip


@pytest.mark.parametrize(("aliases", "message"), REFUSED + CLASHES)
def test_alias_refused_is_an_error_naming_its_line(
    make_site: MakeSite, tmp_path: Path, aliases: str, message: str
) -> None:
    root = make_site(
        {
            "content/a.md": article("A"),
            "content/b.md": article("B", tags="[X]", aliases='["/old-b/"]'),
            "static/logo.png": "png",
        }
    )
    out = tmp_path / "out"
    assert build_cli(root, out)[0] == 0
    before = tree(out)
    (root / "content/a.md").write_text(article("A", aliases=aliases))
    code, output = build_cli(root, out)
    assert code == 1
    assert f"content/a.md:4: aliases: {message}" in output, output
    assert output.endswith("error: build failed (1 problem)\n"), output
    assert tree(out) == before  # the last good output stays


def test_alias_of_two_articles_is_refused_with_all_other_problems(
    make_site: MakeSite, tmp_path: Path
) -> None:
    root = make_site(
        {
            "content/a.md": article("A", aliases='["/old/", "/?p=1", "/2019/c/"]'),
            "content/b.md": article("B", date="2025-01-01", aliases='["/Old/", "/?p=1"]'),
            "content/c.md": article("C", date="2024-01-01", aliases='["../c/"]'),
        }
    )
    code, output = build_cli(root, tmp_path / "out")
    assert code == 1
    assert output.splitlines() == [
        "content/b.md:4: aliases: '/?p=1' is also an alias of content/a.md:4; remove it",
        "content/b.md:4: aliases: '/Old/' differs only in case from '/old/', an alias of"
        " content/a.md:4; remove it",
        "content/c.md:4: aliases: '../c/' must be a path on this site starting with one '/',"
        " e.g. '/2019/05/old-slug/'",
        "error: build failed (3 problems)",
    ]
    assert not (tmp_path / "out").exists()


def test_alias_with_its_own_slash_or_escape_twice_makes_one_page(
    make_site: MakeSite, build_site: BuildSite
) -> None:
    aliases = '["/old", "/old/", "/café/", "/caf%C3%A9/", "/caf%c3%a9/", "/?p=%c3%a9", "/?p=é"]'
    out = build_site(make_site({"content/a.md": article("A", aliases=aliases)}))
    assert (out / "old/index.html").is_file() and (out / "café/index.html").is_file()
    assert (out / "_redirects").read_text().splitlines()[2:] == [
        "/ p=%C3%A9 /a/ 301!",
        "/caf%C3%A9/ /a/ 301",
        "/old /a/ 301",
        "/old/ /a/ 301",
    ]


NGINX = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
needs_nginx = pytest.mark.skipif(NGINX is None, reason="nginx is not installed")


def nginx_config(out: Path, scratch: Path, port: int) -> Path:
    """An nginx.conf serving `out` on 127.0.0.1:`port` as the generated map says, in the
    foreground, as the current user, with every file it writes under `scratch`."""
    temp = " ".join(
        f"{kind}_temp_path {scratch}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    config = scratch / "nginx.conf"
    config.write_text(
        f"daemon off;\nmaster_process off;\npid {scratch}/nginx.pid;\nerror_log stderr;\n"
        f"events {{}}\nhttp {{\n    access_log off;\n    {temp}\n"
        f"    include {out}/nginx-redirects.conf;\n"
        f"    server {{\n        listen 127.0.0.1:{port};\n        root {out};\n"
        "        if ($sitegen_redirect) { return 301 $sitegen_redirect; }\n    }\n}\n"
    )
    return config


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@needs_nginx
def test_alias_nginx_map_is_accepted_by_nginx(
    make_site: MakeSite, build_site: BuildSite, tmp_path: Path
) -> None:
    """Long addresses need a bigger map_hash_bucket_size than nginx's default of 64."""
    long = "/2019/05/03/" + "a-very-long-title-as-wordpress-makes-them-" * 3
    aliases = {
        f"content/a{i}.md": article(f"A{i}", aliases=f'["{long}{i}/", "/?p={i}"]')
        for i in range(300)
    }
    out = build_site(make_site(aliases))
    config = nginx_config(out, tmp_path, free_port())
    checked = subprocess.run(
        [str(NGINX), "-t", "-e", "stderr", "-p", str(tmp_path), "-c", str(config)],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr
    assert "[warn]" not in checked.stderr and "[emerg]" not in checked.stderr, checked.stderr


@needs_nginx
def test_alias_nginx_map_redirects_old_addresses(
    make_site: MakeSite, build_site: BuildSite, tmp_path: Path
) -> None:
    """A running nginx (on a free high port, stopped at the end) answers each old address,
    with a query or not, with a 301 to the article."""
    out = build_site(make_site({"content/vigil.md": article("Vigil", aliases=VIGIL)}))
    scratch = tmp_path / "nginx"
    scratch.mkdir()
    port = free_port()
    config = nginx_config(out, scratch, port)
    server = subprocess.Popen(
        [str(NGINX), "-e", "stderr", "-p", str(scratch), "-c", str(config)],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        answers = {old: _head(port, old, server) for old in ("/?p=123", "/news/vigil", "/vigil/")}
    finally:
        server.terminate()
        server.communicate(timeout=10)
    assert answers == {
        "/?p=123": (301, f"http://127.0.0.1:{port}/vigil/"),
        "/news/vigil": (301, f"http://127.0.0.1:{port}/vigil/"),
        "/vigil/": (200, None),
    }


def _head(port: int, path: str, server: subprocess.Popen[str]) -> tuple[int, str | None]:
    """The status and Location nginx answers for `path`, once it listens."""
    deadline = time.monotonic() + 10
    while True:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            connection.request("HEAD", path)
            response = connection.getresponse()
            return response.status, response.getheader("Location")
        except ConnectionRefusedError:
            assert server.poll() is None, server.communicate()[1]
            assert time.monotonic() < deadline, "nginx did not start listening"
            time.sleep(0.05)
        finally:
            connection.close()
