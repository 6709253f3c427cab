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


def test_no_template_keeps_a_merge_conflict() -> None:
    """Conflict markers are plain text to Jinja: a template left mid-merge compiles
    and sends both versions and the markers to people (it happened once)."""
    for path in sorted(prompts.ROOT.rglob("*")):
        if path.suffix in (".j2", ".yaml"):
            markers = [line for line in path.read_text(encoding="utf-8").splitlines()
                       if line.startswith(("<<<<<<< ", ">>>>>>> ")) or line == "======="]
            assert not markers, f"{path}: {markers}"


def test_no_template_formats_a_day_with_a_platform_only_strftime_flag() -> None:
    """`%-d` (no leading zero) is a glibc extension: Windows' strftime rejects it, so
    the sentence fails there. Days are shown with the `day` filter (babel)."""
    import re

    flagged = {path.relative_to(prompts.ROOT).as_posix() for path in prompts.ROOT.rglob("*.j2")
               if re.search(r"strftime\([^)]*%[-#]", path.read_text(encoding="utf-8"))}
    assert flagged == set()
