"""`sitegen init` and `sitegen new`: the files an editor starts from.

Both refuse to overwrite anything: they only ever create files that did not exist.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

import click

from sitegen import urls
from sitegen.commands.ci import next_step, write_ci
from sitegen.config.settings import CONFIG_NAME, base_url_problems, load_config
from sitegen.content.article import CONTENT_DIR
from sitegen.errors import Location, SitegenError, error, shown
from sitegen.render.theme import THEME_STATIC, default_theme_dir

# Every option, commented out at its default: uncomment what you change. A test keeps this
# in step with config.KNOWN_KEYS.
CONFIG_TEMPLATE = """\
# sitegen.yaml: settings of this site. Every line starting with '#' is off; remove the
# '# ' to change a setting. sitegen's docs/configuration.md explains each one.

title: {title}
{base_url}# the public address; feeds and sharing need it
# description: ""                    # one line about the site (tagline, home page)
# language: en                       # <html lang>: fr, pt-BR, ...
# timezone: UTC                      # for dates written without one: Europe/Paris
# per_page: 10                       # teasers per listing page
# permalink: /{{slug}}/                # or /{{year}}/{{month}}/{{slug}}/
# default_byline: Staff Writer       # for articles without a byline
# copyright: ""                      # footer line
# social:                            # plain footer links, no widgets
#   - {{name: Mastodon, url: "https://example.social/@us"}}
# menu:                              # links after Latest, Tags, Archive in the header
#   - {{name: About, url: /about/}}     # a page: content/pages/about.md
# feed_items: 20                     # entries per feed
# feed_content: full                 # full or summary
# related_count: 3                   # "Continue Reading" links; 0 turns them off
# markdown_engine: markdown          # or cmark (faster): pip install 'sitegen[fast]'
# raw_html: keep                     # or sanitize: pip install 'sitegen[sanitize]'
# search: false                      # true: a search page; pip install 'sitegen[search]'
# relative_urls: false               # true: links relative to each page, for mirrors
# image_widths: [480, 800, 1200]     # sizes made of each image a page shows
# default_image: /images/card.jpg    # share image of articles without one
# keep_image_metadata: false         # true publishes photos' GPS, serial numbers, names
# image_variants: true               # false: images at their own size only
# redirects:                         # old addresses no article owns -> a page here
#   /category/news/: /tag/news/
# slugs: ascii                       # or unicode: slugs keep their script (/fa/تجمع/)
# languages:                         # other languages, at /fa/...; translations: NAME.fa.md
#   fa: {{title: "...", calendar: persian}}
"""

EXAMPLE_ARTICLE = """\
---
title: "Welcome to {title}"
date: {date}
tags: ["News"]
byline: "Staff Writer"
summary: "This archive is built with sitegen. Replace this article with your own."
---
This is the first article. Write in [Markdown](https://commonmark.org/help/): a blank
line starts a new paragraph, `## ` starts a heading, `*words*` are emphasised.

## Next steps

- `sitegen new "Your headline"` writes a new article in `content/`;
- `sitegen serve` shows the site at http://127.0.0.1:8000/ and reloads as you save;
- `sitegen check` finds mistakes and broken links before you publish.
"""

GITIGNORE = "build/\n.build.spare/\n.build.dropped-*/\n.sitegen-cache/\n/*.zip\n"


def init_site(
    target: Path,
    *,
    title: str,
    with_theme: bool,
    today: dt.date,
    base_url: str = "",
    ci: str | None = None,
) -> list[Path]:
    """Create a new site in `target` (missing or empty); returns the files made. Without a
    `base_url` (checked by `checked_base_url`) sitegen.yaml holds a commented placeholder.
    With `ci` (commands/ci.py) also its CI recipe; into an existing site, only that."""
    if ci and not with_theme and (target / CONFIG_NAME).is_file():
        return [write_ci(target, ci)]
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        where = Location(PurePosixPath(str(target)))
        raise SitegenError(
            [error(where, "is not an empty folder; choose a new one")], "not created"
        )
    made = [
        _create(
            target / CONFIG_NAME,
            CONFIG_TEMPLATE.format(title=json.dumps(title), base_url=_base_url_line(base_url)),
        ),
        _create(
            target / CONTENT_DIR / "welcome.md",
            EXAMPLE_ARTICLE.format(title=title.replace('"', "'"), date=today.isoformat()),
        ),
        _create(target / ".gitignore", GITIGNORE),
    ]
    if with_theme:
        theme = default_theme_dir()
        shutil.copytree(theme / "templates", target / "templates")
        shutil.copytree(theme / "static" / THEME_STATIC, target / "static" / THEME_STATIC)
        made += sorted(p for p in (target / "templates").rglob("*") if p.is_file())
        made += sorted(p for p in (target / "static").rglob("*") if p.is_file())
    if ci:
        made.append(write_ci(target, ci))
    return made


def ask_base_url(given: str | None, *, ask: bool) -> str:
    """The base_url for a new site: as given (checked), else asked for when `ask` (a person
    at a terminal; an empty answer leaves it for later), else ''."""
    if given is not None:
        return checked_base_url(given)
    if not ask:
        return ""
    answer: str = click.prompt(
        "Public address of the site (base_url), e.g. https://example.org/; empty: later",
        default="",
        show_default=False,
        value_proc=checked_base_url,
    )
    return answer


def init_report(
    site_dir: Path, made: list[Path], *, is_new: bool, base_url: str, ci: str | None
) -> list[tuple[str, bool]]:
    """What `sitegen init` prints: (line, to stderr)."""
    files = f"{len(made)} file{'' if len(made) == 1 else 's'}"
    lines = [(f"created {files} in {site_dir}", False)]
    if is_new and not base_url:
        warn = "warning: base_url is not set; set it in sitegen.yaml before publishing"
        lines.append((f"{warn} (sitegen build --strict refuses a site without it)", True))
    if is_new:
        lines.append(
            (f'next: cd {site_dir} && sitegen new "Your headline" && sitegen serve', False)
        )
    if ci:
        lines.append((f"next: {next_step(ci, made[-1])}", False))
    return lines


def checked_base_url(url: str) -> str:
    """A base_url for init, checked as sitegen.yaml's is and ending in '/'; '' stays ''.
    Raises click.BadParameter, so click asks again at a prompt."""
    url = url.strip()
    if problems := base_url_problems(url) if url else []:
        raise click.BadParameter("; ".join(problems), param_hint="'--base-url'")
    return url if not url or url.endswith("/") else url + "/"


def _base_url_line(url: str) -> str:
    # A checked URL has no whitespace, so no ': ' or ' #', and starts with 'http': plain YAML
    setting = f"base_url: {url}" if url else "# base_url: https://example.org/"
    return setting.ljust(36) + " "


def find_site_dir(start: Path) -> Path:
    """The folder holding sitegen.yaml: `start` or the nearest parent, as git finds .git."""
    for folder in (start, *start.resolve().parents):  # resolved: "a/../b" is not under "a"
        if (folder / CONFIG_NAME).is_file():
            return folder
    message = (
        f"no {CONFIG_NAME} here or in any parent folder; "
        "run 'sitegen init' first, or give the site folder with --site"
    )
    where = Location(PurePosixPath(str(start.resolve())))
    raise SitegenError([error(where, message)], "no article written")


def new_article(
    site_dir: Path,
    title: str,
    *,
    tags: Sequence[str] = (),
    byline: str = "",
    image: str = "",
    now: dt.datetime | None = None,
) -> Path:
    """Write content/<slug>.md of the site that holds `site_dir` (it or a parent has
    sitegen.yaml) with today's date (in the site's time zone) and the front matter skeleton;
    returns its path. Never overwrites."""
    site_dir = find_site_dir(site_dir)  # never a content/ outside a site
    config = load_config(site_dir)  # a broken sitegen.yaml is reported first
    slug = _shortened(urls.slugify(title))
    rel = PurePosixPath(CONTENT_DIR, f"{slug}.md")
    path = site_dir / rel
    problem = None
    if not slug:
        problem = f"title {shown(title)} has no letters or digits to name a file"
    elif urls.is_reserved(slug):
        problem = (
            f"title {shown(title)} gives {shown(slug)}, a name Windows reserves; choose another"
        )
    elif path.exists():
        problem = "already exists; edit it, or choose another title"
    if problem:
        where = Location(rel if path.exists() else PurePosixPath(CONTENT_DIR))
        raise SitegenError([error(where, problem)], "no article written")
    today = (now or dt.datetime.now(config.zone)).astimezone(config.zone).date()
    lines = [
        "---",
        f"title: {json.dumps(title, ensure_ascii=False)}",
        f"date: {today.isoformat()}",
        f"tags: {json.dumps(list(tags), ensure_ascii=False)}",
        f"byline: {json.dumps(byline or config.default_byline, ensure_ascii=False)}",
        f"image: {json.dumps(image)}" if image else "# image: /images/your-photo.jpg",
        'image_alt: ""' if image else '# image_alt: "what the photo shows"',
        'image_caption: ""' if image else '# image_caption: "who, where; credit"',
        '# summary: "one or two sentences for listings and feeds"',
        "# draft: true  # keeps it out of the published site (sitegen serve --drafts shows it)",
        "---",
        "",
        "Write the article here.",
        "",
    ]
    return _create(path, "\n".join(lines))


NEW_SLUG_CHARS = 80  # a long title makes a file name (and URL) of its first words


def _shortened(slug: str) -> str:
    """The slug cut after a whole word to at most NEW_SLUG_CHARS characters (a word
    longer than that is cut where the limit falls)."""
    if len(slug) <= NEW_SLUG_CHARS:
        return slug
    cut = slug[: NEW_SLUG_CHARS + 1]
    words = cut[: cut.rfind("-")] if "-" in cut else ""
    return (words or cut[:NEW_SLUG_CHARS]).strip("-_")


def _create(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "x", encoding="utf-8") as file:  # "x": never overwrite
        file.write(text)
    return path
