"""A multilingual site's languages: articles split by language, each language's own Site
(listings, tags, feeds under '/<tag>/'), and the translation groups that link them."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence

from sitegen import urls
from sitegen.config.settings import Config
from sitegen.content.translations import edition
from sitegen.errors import Problem, error
from sitegen.model import Article
from sitegen.runtime.pool import Awaited


def edition_config(config: Config, tag: str) -> Config:
    """The config an edition's pages see: its language, title, description, menu and
    default byline."""
    settings = config.languages[tag]
    return dataclasses.replace(
        config,
        language=tag,
        title=settings.title,
        description=settings.description,
        menu=settings.menu or config.menu,
        default_byline=settings.default_byline or config.default_byline,
    )


def edition_tags(config: Config) -> tuple[str, ...]:
    """Every language but the default, in the order sitegen.yaml lists them."""
    return tuple(tag for tag in config.languages if tag != config.language)


def split_by_language(config: Config, articles: Sequence[Article]) -> dict[str, list[Article]]:
    """Edition tag ('' for the default language) -> its articles, in the given order."""
    split: dict[str, list[Article]] = {"": [], **{tag: [] for tag in edition_tags(config)}}
    for article in articles:
        split[edition(article.lang, config)].append(article)
    return split


def translation_groups(
    config: Config, articles: Sequence[Article]
) -> tuple[dict[str, tuple[Article, ...]], list[Problem]]:
    """Article URL -> all language versions of it, default language first; two versions
    of one article in the same language are an error naming both files."""
    order = {"": 0, **{tag: n for n, tag in enumerate(edition_tags(config), start=1)}}
    groups: dict[str, dict[str, Article]] = defaultdict(dict)
    problems = []
    for article in sorted(articles, key=lambda a: str(a.source)):
        if not article.translation_key:
            continue
        language = edition(article.lang, config)
        versions = groups[article.translation_key]
        other = versions.get(language)
        if other is not None:
            shown_language = language or config.language
            message = (
                f"translation: a second {shown_language!r} version of "
                f"{article.translation_key!r}; the first is {other.source}; "
                "give one of them another translation_key or language"
            )
            problems.append(error(article.location("translation_key"), message))
            continue
        versions[language] = article
    translations: dict[str, tuple[Article, ...]] = {}
    for versions in groups.values():
        if len(versions) > 1:
            group = tuple(versions[tag] for tag in sorted(versions, key=order.__getitem__))
            translations.update((article.url, group) for article in group)
    return translations, problems


def same_language_related(
    related: Mapping[str, tuple[Article, ...]], config: Config
) -> Mapping[str, tuple[Article, ...]]:
    """Related articles chosen over every language, kept to the article's own language
    (tags are per language, so nearly all already are). Looked up when asked for, so a
    choice made lazily (`serve`, one page at a time) stays lazy; one forked workers still
    make stays an `Awaited`, which the build settles before it forks again."""
    if isinstance(related, Awaited):
        return Awaited(lambda: dict(_SameLanguage(related, config).items()))
    return _SameLanguage(related, config)


class _SameLanguage(Mapping[str, tuple[Article, ...]]):
    def __init__(self, related: Mapping[str, tuple[Article, ...]], config: Config) -> None:
        self._related, self._config = related, config

    def __getitem__(self, url: str) -> tuple[Article, ...]:
        own = _edition_of_url(url, self._config)
        items = self._related[url]
        return tuple(a for a in items if _edition_of_url(a.url, self._config) == own)

    def __iter__(self) -> Iterator[str]:
        return iter(self._related)

    def __len__(self) -> int:
        return len(self._related)


def _edition_of_url(url: str, config: Config) -> str:
    for tag in edition_tags(config):
        if url.startswith(urls.language_prefix(tag) + "/"):
            return tag
    return ""
