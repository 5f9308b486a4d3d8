"""Whether an article's new version changes only its words: the same place in the site.

Most saves change an article's words (body, title, summary, caption). Those move no page:
no address, no listing's order or members, no related choice, no image to make. Both the
preview (serve.patch, which changes its planned site in place) and `sitegen build` (the
word-only build, build.quick) decide it here, the same way.
"""

from __future__ import annotations

import dataclasses

from sitegen.model import Article, Site

# The fields a save may change in place: what pages show of an article, and nothing they
# are placed or chosen by (the lead image: its caption and alt text, not its file).
WORDS = frozenset(
    {"title", "summary", "excerpt_html", "description", "body", "extra", "field_lines",
     "digest", "categories", "image"}
)  # fmt: skip
PLACE = tuple(f.name for f in dataclasses.fields(Article) if f.name not in WORDS)


def stays_in_place(old: Article, new: Article, site: Site) -> bool:
    """Whether `new` may replace `old` in place: the same place, names spelt the same
    (Term equality ignores spelling), the same images shown, no redirect titled by it.
    (`site`: only its config is read.)"""
    if any(getattr(old, name) != getattr(new, name) for name in PLACE):
        return False
    if names(old) != names(new) or (old.image and old.image.src) != (new.image and new.image.src):
        return False
    if ("date" in old.field_lines) != ("date" in new.field_lines):  # a page's lastmod
        return False
    from sitegen.images.stage import shown_images  # noqa: PLC0415 - it loads Pillow

    base_path = site.config.base_path
    if shown_images((old.body,), (), base_path) != shown_images((new.body,), (), base_path):
        return False
    return all(redirect.new != old.url for redirect in site.config.redirects)


def names(article: Article) -> tuple[str, ...]:
    """The spellings of its byline and tags."""
    return (article.author.name, *(tag.name for tag in article.tags))
