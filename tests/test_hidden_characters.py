"""Attacker F2: an e-mail, a name or a chat id holding a character that prints nothing
(a zero-width space, a bidi override, a soft hyphen, a direction mark) is refused where
it enters, with the line and the character named: an e-mail with one is a different
address from the one it reads as (a ghost person nobody's Slack or Teams profile ever
matches, counted in scorecards), a name with an override reverses the text shown
around it to a manager."""

from __future__ import annotations

import pytest

from bot.cli.team import TeamFileError, read_team
from bot.features.trade_shows.csv_leads import read_leads
from conversations.people import hidden_character

HEADER = "email,name,role,manager_email,timezone,slack_user_id\n"
BOSS = "a@x.com,A Boss,manager,,Europe/Oslo,U1\n"


def problems(text: str) -> list[str]:
    with pytest.raises(TeamFileError) as caught:
        read_team(text)
    return [str(p) for p in caught.value.problems]


def test_a_zero_width_space_in_an_e_mail_is_refused_naming_the_line() -> None:
    assert problems(HEADER + BOSS + "i@x.com\u200b,I,rep,a@x.com,Europe/Oslo,U2\n") == [
        "line 3: email holds an invisible character, U+200B (zero width space), at position 8; "
        "delete it: an address with it never matches the person's Slack or Teams e-mail"]


@pytest.mark.parametrize("cell, column, character", [
    ("\u202eRTL name", "name", "U+202E"),
    ("Ana\u2066 Silva", "name", "U+2066"),
    ("Jane\u200bRoe", "name", "U+200B"),
    ("Jo\u00adhn", "name", "U+00AD"),
])
def test_bidi_overrides_and_zero_width_characters_in_a_name_are_refused(cell: str, column: str,
                                                                        character: str) -> None:
    [line] = problems(HEADER + BOSS + f"l@x.com,{cell},rep,a@x.com,Europe/Oslo,U2\n")
    assert line.startswith(f"line 3: {column} holds an invisible character, {character} (")
    assert "reverse the text around it" in line


@pytest.mark.parametrize("raw, column", [("a@x.com\u200e", "manager_email"), ("U2\u2060", "slack_user_id")])
def test_manager_e_mails_and_chat_ids_are_held_to_the_same_rule(raw: str, column: str) -> None:
    row = (f"l@x.com,L,rep,{raw},Europe/Oslo,U2\n" if column == "manager_email"
           else f"l@x.com,L,rep,a@x.com,Europe/Oslo,{raw}\n")
    [line] = problems(HEADER + BOSS + row)
    assert line.startswith(f"line 3: {column} holds an invisible character")


def test_names_in_every_script_and_emoji_sequences_still_read() -> None:
    """The joiners are spelling (Persian, the Indic scripts) and the glue of emoji."""
    scotland = "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"
    names = ["می\u200cخواهم", "क्\u200dष", "Dev 👩\u200d💻", "Jörg Ñúñez", f"Ana {scotland}"]
    rows = read_team(HEADER + BOSS + "".join(f"p{i}@x.com,{n},rep,a@x.com,UTC,U{i + 5}\n"
                                             for i, n in enumerate(names)))
    assert [r.name for r in rows[1:]] == names


def test_a_lead_files_e_mail_with_a_hidden_character_is_refused() -> None:
    """The lead file's cells are cleaned as chat text is (bidi overrides and zero-width
    spaces dropped, `markup.clean`); what that keeps and no address holds is refused."""
    rows, found = read_leads("Name,Company,Email\nAna,Acme,ana@acme.example\u200e\n"
                             "Bo,Acme,bo@acme\u00ad.example\nCy,Acme,cy@acme.example\u200b\n")
    assert [(p.line, p.code, p.detail) for p in found] == [(2, "hidden_in_email", "U+200E|17"),
                                                           (3, "hidden_in_email", "U+00AD|8")]
    assert rows[2].lead.email == "cy@acme.example"  # the zero-width space was dropped


def test_hidden_character_names_the_first_one() -> None:
    assert hidden_character("plain@x.com") is None
    assert hidden_character("a\u200bb\u202ec") == (1, "\u200b")
    assert hidden_character("a\u200db") == (1, "\u200d")
    assert hidden_character("a\u200db", in_name=True) is None
