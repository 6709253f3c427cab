"""Start or refuse, clearly: `coachbot` as a dyno, a container or a VM starts it.
Each refusal is one line and exit code 2, never a traceback; migrations run one
process at a time; `.env` is read; the packaged manifest and version are there."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml
from conftest import POSTGRES, _with_database
from sqlalchemy import create_engine, text

from storage.db import normalise_url

ROOT = Path(__file__).resolve().parents[1]


def coachbot(cwd: Path, *args: str, env: dict[str, str] | None = None,
             stdin: int | str | None = subprocess.DEVNULL) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("SLACK_", "MICROSOFT_", "TEAMS_", "COACHBOT_", "DATABASE_URL", "PORT"))}
    clean.setdefault("DATABASE_URL", f"sqlite:///{cwd / 'coachbot.db'}")
    clean.update(env or {})
    kwargs = {"input": stdin} if isinstance(stdin, str) else {"stdin": stdin}
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True,
                          cwd=cwd, env=clean, timeout=120, **kwargs)  # type: ignore[call-overload]


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_run_without_platform_and_without_terminal_exits_2_naming_the_variables(tmp_path: Path) -> None:
    result = coachbot(tmp_path, "run")  # stdin is /dev/null, as on a dyno or in a container
    assert result.returncode == 2
    line = one_line(result)
    for variable in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "MICROSOFT_APP_ID",
                     "MICROSOFT_APP_PASSWORD"):
        assert variable in line
    assert not (tmp_path / "coachbot.db").exists()  # refused before touching anything


def test_a_missing_sqlite_folder_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = coachbot(tmp_path, "db", "upgrade", env={"DATABASE_URL": f"sqlite:///{tmp_path}/nope/c.db"})
    assert result.returncode == 2
    assert one_line(result) == (f"coachbot: DATABASE_URL: the folder {tmp_path}/nope for the SQLite file does "
                                "not exist; create it or point DATABASE_URL at a file in a folder that does")


def test_an_unreachable_postgresql_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = coachbot(tmp_path, "team", "export", env={"DATABASE_URL": "postgresql://coach:secret@127.0.0.1:1/db"})
    assert result.returncode == 2
    line = one_line(result)
    assert line.startswith("coachbot: DATABASE_URL: cannot use the PostgreSQL at 127.0.0.1:1/db (")
    assert "secret" not in line


def test_a_read_only_database_stops_start_up(tmp_path: Path) -> None:
    assert coachbot(tmp_path, "db", "upgrade").returncode == 0
    read_only = f"sqlite:///file:{tmp_path / 'coachbot.db'}?mode=ro&uri=true"
    result = coachbot(tmp_path, "run", env={"DATABASE_URL": read_only}, stdin="/okr help\n")
    assert result.returncode == 2
    assert "is read-only" in one_line(result)


def test_dotenv_is_read_and_the_environment_wins(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("PORT=not-a-port\nCOACHBOT_TIMEZONE=Mars/Base\n")
    result = coachbot(tmp_path, "db", "upgrade", env={"PORT": "3001"})
    assert result.returncode == 2
    assert one_line(result) == ("coachbot: configuration error: COACHBOT_TIMEZONE: 'Mars/Base' is not an IANA "
                                f"time zone such as Europe/Oslo (set in {tmp_path / '.env'})")
    (tmp_path / ".env").write_text(f"DATABASE_URL=sqlite:///{tmp_path / 'from-dotenv.db'}\n")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    done = subprocess.run([sys.executable, "-m", "bot", "db", "upgrade"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "from-dotenv.db").exists()


def test_version_and_the_packaged_slack_manifest(tmp_path: Path) -> None:
    from bot import __version__

    assert coachbot(tmp_path, "--version").stdout.strip() == f"coachbot {__version__}"
    printed = coachbot(tmp_path, "slack", "manifest").stdout
    assert printed == (ROOT / "manifest.yml").read_text(encoding="utf-8")
    assert "im:read" not in yaml.safe_load(printed)["oauth_config"]["scopes"]["bot"]


def test_shell_completion_is_offered(tmp_path: Path) -> None:
    assert "--install-completion" in coachbot(tmp_path, "--help").stdout


@pytest.mark.skipif(not POSTGRES, reason="COACHBOT_TEST_POSTGRES_URL not set")
def test_two_upgrades_at_once_on_an_empty_postgresql_both_succeed(tmp_path: Path) -> None:
    name = f"coachbot_race_{uuid.uuid4().hex[:8]}"
    admin = create_engine(normalise_url(POSTGRES or "", asynchronous=False), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = _with_database(POSTGRES or "", name)
    try:
        with ThreadPoolExecutor(2) as pool:
            results = list(pool.map(lambda _: coachbot(tmp_path, "db", "upgrade", env={"DATABASE_URL": url}),
                                    range(2)))
        assert [r.returncode for r in results] == [0, 0], [r.stderr for r in results]
        engine = create_engine(normalise_url(url, asynchronous=False))
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1
        engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_person_forget_asks_first_and_yes_skips_the_question(tmp_path: Path) -> None:
    assert coachbot(tmp_path, "team", "import", str(ROOT / "examples" / "team.csv")).returncode == 0
    refused = coachbot(tmp_path, "person", "forget", "ravi.rep@example.com", stdin="n\n")
    assert refused.returncode == 1 and "Nothing was erased." in refused.stderr
    asked = coachbot(tmp_path, "person", "forget", "ravi.rep@example.com", stdin="y\n")
    assert asked.returncode == 0, asked.stderr
    assert "Erase everything coachbot holds about ravi.rep@example.com" in asked.stdout
    assert "ravi.rep@example.com is forgotten" in asked.stdout
    exported = coachbot(tmp_path, "team", "export").stdout
    assert "ravi.rep@example.com" not in exported and "Forgotten person" not in exported  # not re-importable
    again = coachbot(tmp_path, "person", "forget", "ravi.rep@example.com", "--yes")
    assert again.returncode == 1 and "nobody with the e-mail ravi.rep@example.com" in again.stderr


def test_secrets_rotate_needs_a_key_and_encrypts_with_it(tmp_path: Path) -> None:
    result = coachbot(tmp_path, "secrets", "rotate")
    assert result.returncode == 2 and one_line(result).startswith("coachbot: COACHBOT_SECRET_KEY is not set")
    key = coachbot(tmp_path, "secrets", "new-key").stdout.strip()
    done = coachbot(tmp_path, "secrets", "rotate", env={"COACHBOT_SECRET_KEY": key})
    assert done.returncode == 0 and done.stdout.startswith("Encrypted 0 stored Slack installation(s)")
