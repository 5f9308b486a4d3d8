"""The templates' image helpers: `picture(src)`, `share_image(article)`, the `srcset`
filter and `responsive_body`, which gives the site's own images in a body their sizes."""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import jinja2
from markupsafe import Markup

from sitegen import urls
from sitegen.config.settings import Config
from sitegen.model import Article, ImageFile, Picture, Site

# An <img> as Markdown writes it (one tag, attributes quoted): a site image gets its sizes
_IMG = re.compile(r"""<img\s(?P<attrs>[^>]*?)\s*/?>""")
_ATTR = re.compile(r"""([a-zA-Z-]+)=(["'])(.*?)\2""")
BODY_SIZES = "(min-width: 46.5rem) 44rem, calc(100vw - 2.5rem)"  # the article column


def add_image_filters(env: jinja2.Environment, config: Config) -> None:
    """The image filters that need no site (compiling a template needs them all):
    `responsive_body` here leaves bodies as they are; add_image_helpers binds it."""
    base_path = config.base_path
    env.filters["srcset"] = functools.partial(
        srcset, under_base=functools.partial(_under_base, base_path=base_path)
    )
    env.filters["responsive_body"] = functools.partial(
        responsive_body, pictures={}, base_path=base_path
    )


def add_image_helpers(env: jinja2.Environment, site: Site) -> None:
    """The image globals and the body filter, bound to this site's pictures."""
    env.globals["picture"] = site.pictures.get  # a Picture, or None: no sizes were made
    env.globals["share_image"] = functools.partial(share_image, site=site)
    env.filters["responsive_body"] = functools.partial(
        responsive_body, pictures=site.pictures, base_path=site.config.base_path
    )


def _under_base(url: str, base_path: str) -> str:
    return urls.under_base(url, base_path)


@dataclass(frozen=True)
class ShareImage:
    """The image share cards show (og:image, JSON-LD); width 0 when not known."""

    url: str
    width: int
    height: int
    alt: str


def share_image(article: Article, site: Site) -> ShareImage | None:
    """The article's lead image at the share size (<= 1200 px), else the site's
    `default_image`, else none."""
    if article.image:
        src, alt = article.image.src, article.image.alt
    elif site.config.images.default_image:
        src, alt = site.config.images.default_image, ""
    else:
        return None
    picture = site.pictures.get(src)
    if picture is not None:
        card = picture.share
        return ShareImage(card.url, card.width, card.height, alt)
    width, height = site.image_sizes.get(src, (0, 0))
    return ShareImage(src, width, height, alt)


def srcset(files: Iterable[ImageFile], under_base: Callable[[str], str]) -> str:
    """'/a-480w.webp 480w, /a-800w.webp 800w': sizes as an srcset attribute's value."""
    return ", ".join(f"{under_base(f.url)} {f.width}w" for f in files)


def responsive_body(body: str, pictures: Mapping[str, Picture], base_path: str) -> Markup:
    """A body's HTML with each <img> of the site's own as a lazy <picture> in its sizes."""
    if "<img" not in body or not pictures:
        return Markup(body)

    def replace(match: re.Match[str]) -> str:
        attrs = {name.lower(): value for name, _, value in _ATTR.findall(match["attrs"])}
        src = html.unescape(attrs.get("src", ""))
        if base_path and src.startswith(base_path + "/"):
            src = src[len(base_path) :]
        picture = pictures.get(src)
        if picture is None or "srcset" in attrs:
            return match[0]
        return picture_html(picture, attrs, functools.partial(_under_base, base_path=base_path))

    return Markup(_IMG.sub(replace, body))


def picture_html(picture: Picture, attrs: dict[str, str], under_base: Callable[[str], str]) -> str:
    """<picture> for a body image, keeping its alt, title and class (already escaped)."""
    kept = "".join(
        f' {name}="{attrs[name]}"' for name in ("alt", "title", "class") if name in attrs
    )
    sources = "".join(
        f'<source type="{kind}" srcset="{srcset(files, under_base)}" sizes="{BODY_SIZES}">'
        for kind, files in picture.sources
    )
    img = (
        f'<img src="{under_base(picture.src.url)}" '
        f'srcset="{srcset(picture.fallback, under_base)}" sizes="{BODY_SIZES}"{kept} '
        f'width="{picture.width}" height="{picture.height}" loading="lazy" decoding="async">'
    )
    return f"<picture>{sources}{img}</picture>"
