"""A date -> its day, month name and year in a calendar other than the Gregorian one.

Solar Hijri (`calendar: persian`) comes from jdatetime, a maintained library installed with
sitegen: calendar arithmetic is not written here."""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass
from types import ModuleType

from sitegen.errors import not_installed

CALENDARS = ("gregorian", "persian")


@dataclass(frozen=True)
class CalendarDate:
    """A day as a calendar names it."""

    year: int
    month: int
    day: int
    month_name: str


def calendar_problem(calendar: str) -> str | None:
    """What is wrong with a language's `calendar:` setting, or None: for the config
    checks, which put it after `sitegen.yaml:LINE: calendar: `."""
    if calendar not in CALENDARS:
        return f"{calendar!r} is not a calendar; expected one of {', '.join(CALENDARS)}"
    if calendar == "persian" and _jdatetime() is None:
        return f"'persian' {not_installed('jdatetime', 'persian')}"
    return None


def persian_date(when: dt.date, language: str) -> CalendarDate:
    """`when` in the Solar Hijri calendar, the month named in Persian for Persian pages
    and transliterated ('Farvardin') for the others. Raises LookupError without jdatetime."""
    jdatetime = _jdatetime()
    if jdatetime is None:
        raise LookupError(f"calendar: 'persian' {not_installed('jdatetime', 'persian')}")
    day = jdatetime.date.fromgregorian(date=dt.date(when.year, when.month, when.day))
    names = jdatetime.date.j_months_fa if language == "fa" else jdatetime.date.j_months_en
    return CalendarDate(day.year, day.month, day.day, names[day.month - 1])


def _jdatetime() -> ModuleType | None:
    try:
        return importlib.import_module("jdatetime")
    except ImportError:
        return None
