"""`coachbot teams package`: the zip a Teams admin uploads (manifest + two icons).

No botbuilder here, and nothing heavy at import time, so the CLI can offer this
command cheaply. The manifest template is `appmanifest/manifest.json`; the app id,
version and developer details are filled in from settings. The icons are the PNGs in
`appmanifest/` (replace them with your own, same names and sizes); if they are
missing they are drawn here, so the package can always be built.
"""

from __future__ import annotations

import copy
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

from bot import __version__
from bot.channels.teams.settings import TeamsSettings

HERE = Path(__file__).parent / "appmanifest"
TEMPLATE = HERE / "manifest.json"
COLOR = ("color.png", 192)
OUTLINE = ("outline.png", 32)
ACCENT = (31, 111, 235)  # matches accentColor in the manifest
PACKAGE_NAME = "coachbot-teams.zip"
_GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")


def manifest(settings: TeamsSettings | None, *, developer_name: str = "coachbot",
             website_url: str = "https://www.example.com/coachbot",
             privacy_url: str | None = None, terms_url: str | None = None) -> dict[str, Any]:
    """The filled-in manifest. The Teams app id is the bot's Microsoft app id, which
    Teams requires to be a GUID; without one there is nothing to install."""
    app_id = settings.app_id if settings is not None else None
    if not app_id:
        raise ValueError(
            "MICROSOFT_APP_ID must be set to the bot's Microsoft app id (a GUID) "
            "to build the Teams app package")
    if not _GUID.match(app_id):
        raise ValueError(
            f"MICROSOFT_APP_ID {app_id[:80]!r} is not a GUID: the bot's Microsoft app id reads like "
            "12345678-abcd-4ef0-9abc-1234567890ab")
    data: dict[str, Any] = copy.deepcopy(json.loads(TEMPLATE.read_text(encoding="utf-8")))
    data["id"] = app_id
    data["version"] = _semver(__version__)
    data["developer"] = {
        "name": developer_name,
        "websiteUrl": website_url,
        "privacyUrl": privacy_url or website_url.rstrip("/") + "/privacy",
        "termsOfUseUrl": terms_url or website_url.rstrip("/") + "/terms",
    }
    for bot in data["bots"]:
        bot["botId"] = app_id
    return data


def write_package(path: Path, settings: TeamsSettings | None) -> Path:
    """Write the Teams app package. `path` is the zip file, or a folder to put
    coachbot-teams.zip in. Returns the file written."""
    path = Path(path)
    target = path / PACKAGE_NAME if path.is_dir() or not path.suffix else path
    target.parent.mkdir(parents=True, exist_ok=True)
    content = json.dumps(manifest(settings), indent=2, ensure_ascii=False)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        # Teams wants the three files at the root of the zip, not in a folder.
        archive.writestr("manifest.json", content)
        for name, size in (COLOR, OUTLINE):
            archive.writestr(name, icon_bytes(name, size))
    return target


def icon_bytes(name: str, size: int) -> bytes:
    """A shipped icon, or a freshly drawn one when the file is missing."""
    shipped = HERE / name
    if shipped.exists():
        return shipped.read_bytes()
    return draw_icon(outline=(name == OUTLINE[0]), size=size)


def draw_icon(outline: bool, size: int) -> bytes:
    """coachbot's mark: three rising bars and the goal above them. The colour icon is white
    on the accent colour; the outline icon is white on transparent, as Teams requires."""
    from PIL import Image, ImageDraw  # pillow comes with matplotlib; imported only here

    scale = 8  # draw large and shrink, for smooth edges at 32 px
    big = size * scale
    background = (0, 0, 0, 0) if outline else (*ACCENT, 255)
    image = Image.new("RGBA", (big, big), background)
    draw = ImageDraw.Draw(image)
    white = (255, 255, 255, 255)
    margin = big * (0.12 if outline else 0.22)
    inner = big - 2 * margin
    bar = inner / 5
    left = margin
    for height in (0.3, 0.5, 0.7):
        draw.rectangle([left, margin + inner * (1 - height), left + bar, margin + inner], fill=white)
        left += bar * 1.75
    radius = bar * 0.6  # the goal, just above the tallest bar
    cx, cy = left - bar * 1.75 + bar / 2, margin + radius
    draw.ellipse([cx - radius, cy - radius, cx + radius, cy + radius], fill=white)
    image = image.resize((size, size), Image.Resampling.LANCZOS)
    if outline:  # strictly white + alpha: no grey fringe from resampling
        alpha = image.getchannel("A")
        image = Image.new("RGBA", (size, size), (255, 255, 255, 0))
        image.putalpha(alpha)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _semver(version: str) -> str:
    """Teams accepts only MAJOR.MINOR.PATCH."""
    parts = (re.findall(r"\d+", version) + ["0", "0", "0"])[:3]
    return ".".join(parts)


if __name__ == "__main__":  # regenerate the shipped icons: python -m bot.channels.teams.package
    for icon_name, icon_size in (COLOR, OUTLINE):
        (HERE / icon_name).write_bytes(draw_icon(icon_name == OUTLINE[0], icon_size))
