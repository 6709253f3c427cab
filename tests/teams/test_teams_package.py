"""`coachbot teams package`: the zip an admin uploads to Teams."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from bot.channels.teams import package
from bot.channels.teams.settings import TeamsSettings
from bot.core.feature import Features
from bot.runtime import FEATURES

APP_ID = "6f1c2a3b-1111-4222-8333-944455556666"


def test_package_has_manifest_and_icons_at_the_root(tmp_path: Path) -> None:
    written = package.write_package(tmp_path, TeamsSettings(app_id=APP_ID,
                                                       app_password="x"))
    assert written == tmp_path / "coachbot-teams.zip"
    with zipfile.ZipFile(written) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(archive.read("manifest.json"))
        color = Image.open(io.BytesIO(archive.read("color.png")))
        outline = Image.open(io.BytesIO(archive.read("outline.png")))
    assert manifest["manifestVersion"] == "1.17"
    assert manifest["id"] == manifest["bots"][0]["botId"] == APP_ID
    assert manifest["version"].count(".") == 2
    assert all(manifest["developer"][k].startswith("https://")
               for k in ("websiteUrl", "privacyUrl", "termsOfUseUrl"))
    assert "${" not in json.dumps(manifest)
    assert color.size == (192, 192)
    assert outline.size == (32, 32) and outline.mode == "RGBA"
    # the outline icon is white on transparent, nothing else
    raw = outline.tobytes()
    pixels = [tuple(raw[i:i + 4]) for i in range(0, len(raw), 4)]
    assert {p[:3] for p in pixels if p[3]} == {(255, 255, 255)}
    assert len(manifest["name"]["short"]) <= 30 and len(manifest["description"]["short"]) <= 80


def test_bot_commands_in_the_manifest_are_real_commands() -> None:
    manifest = package.manifest(TeamsSettings(app_id=APP_ID, app_password="x"))
    [commands] = manifest["bots"][0]["commandLists"]
    assert set(commands["scopes"]) == {"personal", "team", "groupChat"}
    assert len(commands["commands"]) <= 10  # the manifest 1.17 limit
    for command in commands["commands"]:
        assert len(command["title"]) <= 32 and len(command["description"]) <= 128
        prefix, name = command["title"].split(" ", 1)
        assert prefix == "okr" and Features(FEATURES).command(name) is not None


def test_a_zip_path_is_used_as_given(tmp_path: Path) -> None:
    target = tmp_path / "out" / "my-app.zip"
    assert package.write_package(target, TeamsSettings(app_id=APP_ID)) == target
    assert zipfile.is_zipfile(target)


def test_without_an_app_id_there_is_no_package(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="MICROSOFT_APP_ID"):
        package.write_package(tmp_path, None)
    with pytest.raises(ValueError, match="GUID"):
        package.write_package(tmp_path, TeamsSettings(app_id="not-a-guid"))


def test_icons_are_drawn_when_the_shipped_ones_are_missing() -> None:
    for outline, size in ((False, 192), (True, 32)):
        image = Image.open(io.BytesIO(package.draw_icon(outline, size)))
        assert image.size == (size, size)


def test_the_package_module_does_not_import_botbuilder() -> None:
    code = ("import sys, bot.channels.teams.package; "
            "print(any(m.startswith(('botbuilder', 'botframework')) for m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, cwd=Path(__file__).parents[2])
    assert result.stdout.strip() == "False"


def test_only_the_teams_channel_imports_botbuilder() -> None:
    root = Path(__file__).parents[2]
    offenders = []
    for folder in ("bot", "storage", "conversations", "prompts"):
        for source in (root / folder).rglob("*.py"):
            if "channels/teams" in source.as_posix():
                continue
            text = source.read_text(encoding="utf-8")
            if "import botbuilder" in text or "from botbuilder" in text \
                    or "from botframework" in text or "import botframework" in text:
                offenders.append(str(source.relative_to(root)))
    assert offenders == []


def _cli(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    import os

    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_", "TEAMS_"))}
    return subprocess.run([sys.executable, "-m", "bot", "teams", "package", "-o", str(tmp_path / "app.zip")],
                          capture_output=True, text=True, cwd=tmp_path, env={**clean, **env}, timeout=60)


def test_the_package_is_built_from_the_app_id_alone(tmp_path: Path) -> None:
    """The package holds no secret: an admin builds it without the bot's password."""
    result = _cli(tmp_path, MICROSOFT_APP_ID=APP_ID)
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(tmp_path / "app.zip") as archive:
        assert json.loads(archive.read("manifest.json"))["id"] == APP_ID


def test_an_app_id_that_is_not_a_guid_is_named_as_such(tmp_path: Path) -> None:
    result = _cli(tmp_path, MICROSOFT_APP_ID="nonsense")
    assert result.returncode == 1
    assert "MICROSOFT_APP_ID 'nonsense' is not a GUID" in result.stderr
    assert "must be set" not in result.stderr
