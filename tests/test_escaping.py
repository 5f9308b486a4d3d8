"""Every `{{ value }}` of a theme is escaped by sitegen's own output escaper (faster than
markupsafe's for text that needs none); pages must come out exactly as Jinja makes them."""

from __future__ import annotations

from typing import Any

import jinja2
import pytest
from markupsafe import Markup

from sitegen.render.jinja_speedups import ThemeTemplate

TEMPLATES = {
    "page.html": (
        '{% from "macros.html" import wrap %}<a title="{{ v }}">{{ v }}</a>{{ wrap(v) }}'
        "{% set held %}<b>{{ v }}</b>{% endset %}{{ held }}{% for x in [v, v] %}{{ x }}{% endfor %}"
        '{{ v | e }}{{ v ~ "&" }}{% include "part.html" %}{{ [v] }}'
    ),
    "macros.html": "{% macro wrap(x) %}<i>{{ x }}</i>{{ caller() if caller }}{% endmacro %}",
    "part.html": "<p>{{ v }}</p>",
}


class Html:
    def __html__(self) -> str:
        return "<em>own</em>"

    def __repr__(self) -> str:  # the test's id: the same in every run
        return "Html()"


class Text(str):
    pass


VALUES = [
    "plain", "", "a & b", "<script>", "x > y", 'say "hi"', "it's", "&amp; already",
    "Kraków “quoted” ’", Markup("<em>safe</em> & sound"), Text("<sub>"), 3, 2.5, None, True,
    Html(), ["<li>"], {"k": "<v>"},
]  # fmt: skip


def environment(template_class: type[jinja2.Template] | None) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.DictLoader(TEMPLATES), autoescape=True)
    if template_class:
        env.template_class = template_class
    return env


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_pages_are_escaped_exactly_as_jinja_escapes_them(value: Any) -> None:
    stock = environment(None).get_template("page.html").render(v=value)
    ours = environment(ThemeTemplate).get_template("page.html").render(v=value)
    assert ours == stock


def test_undefined_values_still_fail_the_page() -> None:
    env = environment(ThemeTemplate)
    env.undefined = jinja2.StrictUndefined
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ missing }}").render()
