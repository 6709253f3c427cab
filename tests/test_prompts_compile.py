"""Every template compiles (`prompts.exists` only looks a template up, so a syntax
error would otherwise surface the first time someone is sent that sentence)."""

from __future__ import annotations

import prompts


def test_every_template_compiles() -> None:
    names = sorted(p.relative_to(prompts.ROOT).as_posix() for p in prompts.ROOT.rglob("*.j2"))
    assert len(names) > 100
    for name in names:
        prompts.environment().get_template(name)  # raises TemplateSyntaxError


def test_exists_answers_without_compiling() -> None:
    assert prompts.exists("core/help")
    assert not prompts.exists("core/no_such_template")
