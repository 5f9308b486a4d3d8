"""Theme folders -> gettext catalogs (`locales/<lang>/LC_MESSAGES/sitegen.po`), read with
Babel and compiled in memory, and the theme's own messages (extracted as Babel does).

Catalogs are text in the theme, beside the templates they translate: a site adds or
overrides one as it overrides a template, the wheel carries them with the templates, and
a changed catalog changes the pages' fingerprints as a changed template does."""

from __future__ import annotations

import gettext
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po

from sitegen.errors import Location, Problem, error

DOMAIN = "sitegen"
LOCALES = "locales"  # inside a theme's templates/ folder
# How the theme's templates are read for their messages: as the renderer reads them
EXTRACT_OPTIONS = {"trimmed": "true", "trim_blocks": "true", "lstrip_blocks": "true"}
KEYWORDS = ("_", "gettext", "ngettext", "pgettext", "npgettext")


@dataclass(frozen=True)
class Message:
    """One message of the theme: its msgid (and plural msgid) and where it is written."""

    msgid: str
    plural: str | None
    location: Location


def locale_names(tag: str) -> list[str]:
    """Catalog folder names for a language tag, most specific first: 'pt-BR' -> pt_BR, pt."""
    parts = tag.replace("-", "_").split("_")
    names = ["_".join(parts[:n]) for n in range(len(parts), 0, -1)]
    return list(dict.fromkeys([names[0], *(name for name in names if "_" not in name)]))


def catalog_paths(template_dirs: Sequence[Path], tag: str) -> list[Path]:
    """Every catalog for `tag` in the theme, the one that wins first (the site's own
    folder before the default theme's; `fa_IR` before `fa`)."""
    found = []
    for folder in template_dirs:
        for name in locale_names(tag):
            path = folder / LOCALES / name / "LC_MESSAGES" / f"{DOMAIN}.po"
            if path.is_file():
                found.append(path)
    return found


@dataclass(frozen=True)
class Catalog:
    """One compiled catalog and the msgids it translates (singular ones)."""

    translations: gettext.GNUTranslations
    translated: frozenset[str]


def load_catalog(path: Path, shown_as: PurePosixPath) -> Catalog | Problem:
    """One .po file compiled in memory (untranslated and fuzzy entries are left out, so
    they fall back); a file Babel cannot read is a problem at its line."""
    try:
        with path.open("rb") as file:
            catalog = read_po(file, abort_invalid=True)
        for message in list(catalog):  # a plural with an empty form would show nothing
            if message.id and (message.fuzzy or not _is_translated(message.string)):
                del catalog[message.id]
        compiled = io.BytesIO()
        write_mo(compiled, catalog)
        compiled.seek(0)
        translated = frozenset(
            message.id if isinstance(message.id, str) else message.id[0]
            for message in catalog
            if message.id
        )
        return Catalog(gettext.GNUTranslations(compiled), translated)
    except PoFileError as exc:  # Babel counts lines from 0 and names it in its message
        line = exc.lineno + 1 if isinstance(exc.lineno, int) else None
        what = str(exc).rsplit(" on ", 1)[0]
        what = what[:1].lower() + what[1:]
        return error(Location(shown_as, line), f"{what} (gettext catalog)")
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return error(Location(shown_as), f"cannot read the gettext catalog: {exc}")


def theme_messages(template_dirs: Sequence[Path], site_dir: Path) -> list[Message]:
    """Every message the theme's page templates ask to translate, with its place (the
    template a page gets: the site's own, else the default theme's)."""
    from jinja2.ext import babel_extract

    messages = []
    for name, path in _templates(template_dirs).items():
        with path.open("rb") as file:
            for line, _, text, _ in babel_extract(file, KEYWORDS, [], EXTRACT_OPTIONS):
                msgid, plural = _strings(text)
                if msgid:
                    where = Location(_shown_path(path, name, site_dir), line)
                    messages.append(Message(msgid, plural, where))
    return messages


def _templates(template_dirs: Sequence[Path]) -> dict[str, Path]:
    """Template name -> the file a page gets (the first folder that has it)."""
    found: dict[str, Path] = {}
    for folder in template_dirs:
        for path in sorted(folder.rglob("*.html")):
            found.setdefault(path.relative_to(folder).as_posix(), path)
    return dict(sorted(found.items()))


def _strings(text: object) -> tuple[str | None, str | None]:
    if isinstance(text, str):
        return text, None
    if isinstance(text, tuple):
        found = [part if isinstance(part, str) else None for part in text]
        return found[0], found[1] if len(found) > 1 else None
    return None, None


def _shown_path(path: Path, name: str, site_dir: Path) -> PurePosixPath:
    try:
        return PurePosixPath(path.resolve().relative_to(site_dir.resolve()).as_posix())
    except ValueError:
        return PurePosixPath("(default theme)", "templates", name)


def catalog_shown_path(path: Path, site_dir: Path) -> PurePosixPath:
    """A catalog's path as messages show it: in the site, or in the default theme."""
    try:
        return PurePosixPath(path.resolve().relative_to(site_dir.resolve()).as_posix())
    except ValueError:
        return PurePosixPath("(default theme)", "templates", *path.parts[-4:])


def _is_translated(string: object) -> bool:
    """Every form filled in (Babel's write_mo leaves out an entry with an empty one)."""
    if isinstance(string, str):
        return bool(string)
    return isinstance(string, tuple) and all(string)
