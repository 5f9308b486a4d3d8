"""Article -> the structured data search engines and social sites read (JSON-LD).

Open Graph and Twitter tags are plain <meta> elements in the templates; this module only
builds the JSON-LD object and makes it safe inside <script>.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from markupsafe import Markup

from sitegen.config.settings import Config
from sitegen.model import Article

# Inside <script>, only these can end the element or start a comment; JSON may spell them
# as escapes, and must for U+2028/9 in old JavaScript parsers.
_SCRIPT_SAFE = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def news_article(
    article: Article,
    config: Config,
    image: tuple[str, int, int] | None = None,
    alternates: Sequence[Any] = (),
) -> dict[str, Any]:
    """schema.org NewsArticle for one article; `image`: its share image (URL, width,
    height; render.images.share_image), else its lead image as written; `alternates`
    (render/pages.py Alternate: lang, url) are its versions in every language, the
    original first."""
    permalink = config.absolute(article.url)
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": article.description,
        "datePublished": article.date.isoformat(),
        "dateModified": article.modified.isoformat(),
        "author": [
            {
                "@type": "Person",
                "name": article.author.name,
                "url": config.absolute(article.author.url),
            }
        ],
        "publisher": {"@type": "Organization", "name": config.title, "url": config.site_url},
        "mainEntityOfPage": permalink,
        "url": permalink,
        "keywords": [tag.name for tag in article.tags],
        "inLanguage": article.lang or config.language,
    }
    if image:
        url, width, height = image
        shown = {"@type": "ImageObject", "url": config.absolute(url)}
        data["image"] = [{**shown, "width": width, "height": height} if width else shown]
    elif article.image:
        data["image"] = [config.absolute(article.image.src)]
    if alternates:
        data["inLanguage"] = next(a.lang for a in alternates if a.url == article.url)
        original, *translations = alternates
        if original.url == article.url:
            data["workTranslation"] = [_work(config, a) for a in translations]
        else:
            data["translationOfWork"] = _work(config, original)
    return data


def _work(config: Config, alternate: Any) -> dict[str, str]:
    url = config.absolute(alternate.url)
    return {"@type": "NewsArticle", "@id": url, "url": url, "inLanguage": alternate.lang}


def script_json(data: Any) -> Markup:
    """JSON that cannot break out of a <script> element, whatever the strings hold."""
    text = json.dumps(data, ensure_ascii=False)  # indent would use the slow pure-Python encoder
    for char, escaped in _SCRIPT_SAFE.items():
        text = text.replace(char, escaped)
    return Markup(text)
