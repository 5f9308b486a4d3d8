"""A Localization -> the functions and filters templates translate and format with.

Jinja's i18n extension compiles `{% trans %}` and `_()` into calls of the `gettext` and
`ngettext` names (new-style: they format the message's variables themselves); here those
names look up the page's language in the render context on each call, so a compiled
template holds no language and one compiled theme serves every language."""

from __future__ import annotations

import datetime as dt
from typing import Any

import jinja2
from markupsafe import Markup

from sitegen.render.l10n import Localization

EXTENSIONS = ("jinja2.ext.i18n",)
LOCALIZATION = "sitegen_localization"  # the environment's Localization, for the filters


def install_localization(env: jinja2.Environment, localization: Localization) -> None:
    """Make `env`'s templates speak the page's language: gettext and friends,
    `month_name`, `month_year`, `page_lang` and `page_dir` (and the filters)."""

    @jinja2.pass_context
    def gettext(context: Any, message: str, /, **variables: Any) -> str:
        language = localization.of(context)
        return _filled(context, language.gettext(message), language.formatted(variables))

    @jinja2.pass_context
    def ngettext(context: Any, singular: str, plural: str, count: int, /, **variables: Any) -> str:
        language = localization.of(context)
        variables.setdefault("num", count)
        text = language.ngettext(singular, plural, count)
        return _filled(context, text, language.formatted(variables))

    @jinja2.pass_context
    def pgettext(context: Any, _: str, message: str, /, **variables: Any) -> str:
        return gettext(context, message, **variables)

    @jinja2.pass_context
    def npgettext(
        context: Any, _: str, singular: str, plural: str, count: int, /, **variables: Any
    ) -> str:
        return ngettext(context, singular, plural, count, **variables)

    @jinja2.pass_context
    def month_name(context: Any, month: int) -> str:
        return localization.of(context).month_name(month)

    @jinja2.pass_context
    def month_year(context: Any, year: int, month: int) -> str:
        return localization.of(context).month_year(year, month)

    @jinja2.pass_context
    def page_lang(context: Any) -> str:
        return localization.of(context).tag

    @jinja2.pass_context
    def page_dir(context: Any) -> str:
        return localization.of(context).direction

    env.globals.update(gettext=gettext, ngettext=ngettext, pgettext=pgettext)
    env.globals.update(npgettext=npgettext, month_name=month_name, month_year=month_year)
    env.globals.update(page_lang=page_lang, page_dir=page_dir)
    env.globals[LOCALIZATION] = localization


def install_filters(env: jinja2.Environment) -> None:
    """The filters that format in the page's language. Jinja decides when it compiles a
    template whether a filter is passed the context, so they are there before any
    template is compiled (compiled templates are kept and shared)."""
    env.filters.update(display_date=display_date, number=number)


@jinja2.pass_context
def display_date(context: Any, when: dt.date) -> str:
    """`{{ article.date | display_date }}`: the page language's long date."""
    return _localization(context).of(context).date(when)


@jinja2.pass_context
def number(context: Any, value: float, grouping: bool = True) -> str:
    """`{{ count | number }}`, `{{ year | number(false) }}`: in the page language's digits."""
    return _localization(context).of(context).number(value, grouping)


def _localization(context: Any) -> Localization:
    localization: Localization = context.environment.globals[LOCALIZATION]
    return localization


def _filled(context: Any, text: str, variables: dict[str, Any]) -> str:
    """As Jinja's new-style gettext: the message is markup when autoescaping (a
    translation is theme text), its variables are escaped into it."""
    if context.eval_ctx.autoescape:
        return Markup(text) % variables
    return text % variables
