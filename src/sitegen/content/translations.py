"""Which language a content file is in and which translation group it belongs to, from
its name (`vigil.fa.md`, as Hugo and Zola name translations) or its front matter."""

from __future__ import annotations

from pathlib import PurePosixPath

from sitegen.config.settings import Config


def file_language(rel: PurePosixPath, config: Config) -> str:
    """'fa' for `content/vigil.fa.md` when the site has that language; else ''."""
    if not config.languages:
        return ""
    stem = PurePosixPath(rel.stem)
    tag = stem.suffix[1:]
    if tag and (tag in config.languages or tag == config.language):
        return tag
    return ""


def plain_stem(rel: PurePosixPath, config: Config) -> str:
    """The file name without `.md` and without its language: 'vigil' for `vigil.fa.md`."""
    stem = rel.stem
    tag = file_language(rel, config)
    return stem[: -len(tag) - 1] if tag else stem


def default_translation_key(rel: PurePosixPath, config: Config) -> str:
    """Files that differ only by their language part translate each other:
    `content/news/vigil.md` and `content/news/vigil.fa.md` -> 'content/news/vigil'."""
    return str(rel.parent / plain_stem(rel, config))


def edition(lang: str, config: Config) -> str:
    """The language whose listings, feeds and URL prefix an article of language `lang`
    belongs to: '' for the site's default language (and for any language the site does
    not list, as a one-language site shows such articles today)."""
    if lang and lang != config.language and lang in config.languages:
        return lang
    return ""
