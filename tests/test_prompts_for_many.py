"""`prompts.render_for` and `markup_for`: a card rendered once for many names reads exactly as the
full render for each name, and a template whose output may depend on the name in
any other way than `{{ name }}` placed as it is gets the full render."""

from __future__ import annotations

import pytest

import prompts

AWKWARD = ["Ravi", "Zoë", "<!channel>", "*bold*_x_", "[a](https://x.test)", "\u200bAnn", "", " ",
           "\u200b", "O'Brien & Co", "\\*", "Ann\u200dBob", "\x00Sam", "Priya\n"]


@pytest.mark.parametrize("template", ["cadence/prompt_wig", "cadence/prompt_okr_checkin"])
@pytest.mark.parametrize("repeat", [0, 1, 3])
def test_the_card_for_each_name_reads_as_the_full_render(template: str, repeat: int) -> None:
    for every in ("weekly", "monthly", "odd"):
        for name in AWKWARD:
            fast = prompts.render_for(template, name=name, repeat=repeat, every=every)
            full = prompts.render(template, name=name, repeat=repeat, every=every)
            assert (fast, fast.markup) == (full, full.markup), name
            assert prompts.markup_for(template, name=name, repeat=repeat, every=every) == full.markup, name


def test_the_card_is_rendered_once_for_many_names() -> None:
    prompts._around_name.cache_clear()
    for n in range(50):
        prompts.render_for("cadence/prompt_wig", name=f"Rep{n}", repeat=0, every="weekly")
    info = prompts._around_name.cache_info()
    assert (info.misses, info.hits) == (1, 49)


@pytest.mark.parametrize("source", [
    "{% if name %}Hi {{ name }}{% endif %}", "{{ name|upper }}", "{{ name ~ '!' }}",
    "{% set who = name %}{{ who }}", "{% set who %}{{ name }}{% endset %}{{ who|trim }}",
    "{% filter upper %}{{ name }}{% endfilter %}", "{% include 'x.j2' %}{{ name }}",
    "{% for name in people %}{{ name }}{% endfor %}", "{{ 'x' if name == 'Bo' else name }}",
    "{% macro m(n) %}{{ n }}{% endmacro %}{{ m(name) }}", "{{ name[0] }}",
])
def test_a_template_reading_the_name_otherwise_is_rendered_in_full(source: str) -> None:
    assert not prompts._name_only_placed(prompts.environment().parse(source), None)


@pytest.mark.parametrize("source", [
    "Hi {{ name }}", "{% if repeat %}Again, {{ name }}{% else %}Hello {{ name }}, {{ every }}{% endif %}",
    "{% for x in items %}{{ name }}: {{ x }}{% endfor %}",
])
def test_a_template_only_placing_the_name_is_rendered_once(source: str) -> None:
    assert prompts._name_only_placed(prompts.environment().parse(source), None)
