"""The one place where people's words are made inert (bot.core.markup), and the
`coachbot slack|teams bind` commands that bind a workspace on purpose."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from typer.testing import CliRunner

import prompts
from bot.cli.main import app
from bot.core import markup
from bot.core.messages import Choice, Field, Inbound, Message, Progress
from storage import people
from storage.db import Database


def test_inert_text_reads_as_typed_and_template_output_stays_markup() -> None:
    typed = r"**URGENT** [x](http://e.example) <!here> a_b & c\d"
    made = markup.inert(typed)
    assert markup.plain(made) == typed
    assert "**" not in made and "](" not in made
    assert markup.inert(made) == made  # markup: never escaped twice
    rendered = prompts.render("slack/picked", label=typed)
    assert rendered == f"You picked: **{typed}**"  # reads as plain text (the command line)
    assert rendered.markup == f"You picked: **{made}**"  # the template's bold, the label inert
    assert markup.inert(rendered) == rendered.markup
    nested = prompts.render("slack/picked", label=rendered)
    assert nested.markup == f"You picked: **{rendered.markup}**"  # placed unchanged


def test_plain_strings_in_messages_are_inert_and_rendered_ones_are_not() -> None:
    bold = prompts.render("slack/picked", label="yes")
    message = Message("**mine**", title="[t](http://e.example)",
                      fields=[Field("*a*", "_b_")], progress=[Progress("`k`", 0.5, "~c~")])
    assert message.text == r"\*\*mine\*\*" and message.title == r"\[t\]\(http://e.example\)"
    assert (message.fields[0].label, message.fields[0].value) == (r"\*a\*", r"\_b\_")
    assert (message.progress[0].label, message.progress[0].caption) == (r"\`k\`", r"\~c\~")
    assert Message(bold).text == "You picked: **yes**"
    assert Choice(prompts.render("slack/picked", label="*x*"), "v").label == r"You picked: **\*x\***"
    assert "**mine**" in message.plain() and "[t](http://e.example)" in message.plain()


def test_control_characters_are_stripped_at_the_inbound_edge() -> None:
    event = Inbound(person_id=1, platform="test", text="a\x00b\x07c\r\nd\te\x7f\x85", action="x\x00y")
    assert (event.text, event.action) == ("abc\nd\te", "xy")
    assert markup.clean("emoji 🚀 and Ünïcödé") == "emoji 🚀 and Ünïcödé"


@pytest.mark.parametrize(("typed", "kept"), [
    ("\u202eexe.live\u202c", "exe.live"),  # a right-to-left override (Trojan Source)
    ("Jane\u2066 Roe\u2069", "Jane Roe"),  # an isolate pair
    ("a\u202ab\u202bc\u202dd", "abcd"),  # embeddings and a left-to-right override
    ("Jane\u200b Roe\ufeff", "Jane Roe"),  # a zero-width space and a byte-order mark
    ("Ja\u2060ne", "Jane"),  # a word joiner
    ("Ja\u200dne Ro\u200ce", "Jane Roe"),  # joiners inside Latin words join nothing
    ("\u200dJane\u200c", "Jane"),  # nor at the ends
    ("Jane \u200d\u200dRoe", "Jane Roe"),
])
def test_bidi_controls_and_zero_width_characters_are_stripped(typed: str, kept: str) -> None:
    assert markup.clean(typed) == kept
    assert Inbound(person_id=1, platform="test", text=typed).text == kept


@pytest.mark.parametrize("word", [
    "山田 太郎", "Σωκράτης Παππάς", "Żółć Gęślą", "محمد عبد الله", "דוד לוי", "Nguyễn Văn Anh",
    "می\u200cخواهم",  # Persian: the non-joiner is spelling
    "क्\u200dष",  # Devanagari: a joiner after the virama
    "👩\u200d💻 👩🏽\u200d🔬 🏳️\u200d🌈",  # emoji sequences
    "\u200fשלום\u200e",  # right-to-left and left-to-right marks are not overrides
])
def test_non_latin_words_and_joined_emoji_survive_cleaning(word: str) -> None:
    assert markup.clean(word) == word


@pytest.fixture
def bound_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'bind.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "MICROSOFT_APP_ID"):
        monkeypatch.delenv(name, raising=False)
    return url


def test_slack_and_teams_bind_commands_bind_only_what_the_admin_names(bound_db: str) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["slack", "bind", "T0123"]).exit_code == 2  # no team yet

    async def seed_and_read(url: str) -> dict[tuple[str, str], int]:
        db = Database(url)
        async with db.session() as session:
            if await people.only_org(session) is None:
                await people.ensure_org(session, "Acme", "UTC")
            org = await people.only_org(session)
            assert org is not None
            found = {(p, e): await people.bound_org(session, p, e) or 0
                     for p, e in (("slack", "T0123"), ("teams", "tenant-x"), ("slack", "T0OTHER"))}
        await db.dispose()
        return found

    asyncio.run(seed_and_read(bound_db))
    slack = runner.invoke(app, ["slack", "bind", "T0123"])
    teams = runner.invoke(app, ["teams", "bind", "tenant-x"])
    assert slack.exit_code == 0 and "T0123" in slack.output and "Acme" in slack.output
    assert teams.exit_code == 0 and "tenant-x" in teams.output
    bound = asyncio.run(seed_and_read(bound_db))
    assert bound[("slack", "T0123")] and bound[("teams", "tenant-x")]
    assert bound[("slack", "T0OTHER")] == 0
    assert runner.invoke(app, ["slack", "bind", "T0123", "--org", "Nope"]).exit_code == 2


def test_a_macros_output_is_not_escaped_twice() -> None:
    """A template macro's output passes through the template's escaping again: it
    must read as once, with no stray backslash ("a level to keep (a floor)")."""
    import prompts

    shown = prompts.render("flows/goals/kr_kind_ok", answers={"kr": {
        "text": "Keep 95% (of) my_customers", "kind": "floor", "per": None, "target": 95, "unit": "%"}})
    assert 'I read "Keep 95% (of) my_customers" as a level to keep (a floor).' in shown
    assert "\\" not in shown
    assert "\\(of\\) my\\_customers" in shown.markup  # the rep's words still inert in the markup


def test_a_lead_note_and_a_second_wig_start_on_their_own_lines() -> None:
    """A block tag at the end of a line swallows its newline (trim_blocks): the note
    and the next WIG must not be glued onto the line before."""
    import datetime

    import prompts

    card = prompts.render("trade_shows/lead_card", lead={"id": 1, "name": "Jane", "company": "Acme",
                                                          "temperature": "hot", "due": None, "notes": "call me"})
    assert str(card).splitlines() == ["#1 Jane, Acme · hot", "call me"]
    wig = {"title": "A", "from_value": 1, "to_value": 2, "unit": "", "by_date": datetime.date(2027, 6, 30)}
    standings = [{"wig": wig, "verdict": "no_reading", "expected": 1.5, "digits": 1},
                 {"wig": dict(wig, title="B"), "verdict": "no_reading", "expected": 1.5, "digits": 1}]
    board = str(prompts.render("scorecard/card", standings=standings, lines=[], leader=True, made=0, kept=0))
    assert any(line.startswith("*WIG 2: B*") for line in board.splitlines()), board


def test_a_choice_made_from_markup_equals_the_checked_one_and_refuses_plain_words() -> None:
    """`Choice.marked` (the dispatcher's fast path for buttons) takes markup only:
    somebody's words must go through `Choice(...)`, which makes them inert."""
    label = prompts.render("cadence/label", value="start").markup
    assert Choice.marked(label, "v", "primary") == Choice(label, "v", "primary")
    with pytest.raises(TypeError):
        Choice.marked("<!channel> *click*", "v")  # type: ignore[arg-type]
    assert Choice("<!channel>", "v").label == markup.Marked("\\<\\!channel\\>")


@pytest.mark.parametrize("name", ["Bob\U000f001b[2J\U000f0007", "\U000f0000", "A\U000f005cB"])
def test_the_private_characters_of_the_shields_cannot_be_typed_into_a_control_character(name: str) -> None:
    """`shielded` hides escapes in U+F0000–U+F007F and `unshield` turns them back into
    ASCII: typed into a name, they came out as ESC, BEL or NUL in Slack, Teams and the
    terminal (a reviewer cleared the screen with one)."""
    made = markup.inert(name)
    assert not any(0xF0000 <= ord(c) <= 0xF007F for c in made)
    for shown in (markup.plain(made), markup.unshield(markup.shielded(made))):
        assert not any(ord(c) < 32 and c not in "\t\n" for c in shown), repr(shown)
