"""The Dockerfile and the systemd unit in contrib/: their exact command lines and environment, run here
against the Telegram stand-in, so they cannot rot. Only the install paths are swapped for a temporary
folder, and the installed `microfilm-bot` for this checkout's `python -m bot`."""

from __future__ import annotations

import asyncio
import json
import os
import shlex
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.testing.fakes.telegram_server import FakeTelegram

ROOT = Path(__file__).resolve().parents[1]
CONTRIB = ROOT / "contrib"
pytestmark = pytest.mark.timeout(60)


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


def unit() -> dict[str, list[str]]:
    """The unit's settings, each key with every value it is given."""
    found: dict[str, list[str]] = {}
    for line in (CONTRIB / "microfilm-bot.service").read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            found.setdefault(key.strip(), []).append(value.strip())
    return found


def dockerfile() -> dict[str, list[str]]:
    """The Dockerfile's instructions (continued lines joined), each with every argument it is given."""
    text = (CONTRIB / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    found: dict[str, list[str]] = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            instruction, _, rest = line.partition(" ")
            found.setdefault(instruction, []).append(rest.strip())
    return found


def as_here(argv: list[str]) -> list[str]:
    """The installed console script, as this checkout runs it."""
    assert Path(argv[0]).name == "microfilm-bot", argv
    return [sys.executable, "-m", "bot", *argv[1:]]


def telegram_config(fake: FakeTelegram) -> str:
    return (f'[telegram]\nbase_url = "{fake.base_url}"\nbase_file_url = "{fake.base_file_url}"\npoll_timeout = 1\n'
            "overall_max_rate = 0\ngroup_max_rate = 0\nchat_max_rate = 0\n")


def clean_env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("MICROFILM_")}
    return env | {"PYTHONPATH": str(ROOT)}


async def run(argv: list[str], env: dict[str, str]) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(*argv, cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE,
                                                   stderr=asyncio.subprocess.STDOUT)
    out, _ = await asyncio.wait_for(process.communicate(), 30)
    return int(process.returncode or 0), out.decode()


async def serve_then_stop(argv: list[str], env: dict[str, str], fake: FakeTelegram, health: list[str],
                          stop_signal: signal.Signals) -> str:
    """Start the service, see it answer /help on Telegram and report ready, then stop it as the supervisor
    would; returns what it logged."""
    process = await asyncio.create_subprocess_exec(*argv, cwd=ROOT, env=env, stdin=asyncio.subprocess.DEVNULL,
                                                   stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    try:
        group, alice = fake.add_group("Makers"), fake.add_user("Alice")
        await fake.wait_for_call("getUpdates", lambda r: r.params.get("timeout") == 1, timeout=20)
        fake.send_text(group, alice, "/help")
        await fake.wait_for_call("sendMessage", timeout=10)
        code, said = await run(health, env)
        assert (code, said.splitlines()[0]) == (0, "ready"), said
    finally:
        process.send_signal(stop_signal)
        out, _ = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, out.decode()
    return out.decode()


async def test_the_systemd_unit_checks_the_config_runs_and_stops_cleanly(fake: FakeTelegram, tmp_path: Path) -> None:
    settings = unit()
    moved = {"/etc/microfilm-bot": str(tmp_path / "etc"), "/var/lib/microfilm-bot": str(tmp_path / "state")}

    def here(value: str) -> str:
        for installed, local in moved.items():
            value = value.replace(installed, local)
        return value

    for folder in moved.values():
        Path(folder).mkdir()  # StateDirectory= makes the state folder; the operator makes /etc/microfilm-bot
    env = clean_env()
    for assignment in settings["Environment"]:
        key, value = assignment.split("=", 1)
        env[key] = here(value)
    Path(env["MICROFILM_CONFIG"]).write_text(telegram_config(fake), encoding="utf-8")
    (env_file,) = settings["EnvironmentFile"]
    Path(here(env_file)).write_text(f"MICROFILM_TELEGRAM_TOKEN={fake.token}\n", encoding="utf-8")
    for line in Path(here(env_file)).read_text(encoding="utf-8").splitlines():
        key, value = line.split("=", 1)
        env[key] = value
    assert settings["WorkingDirectory"] == ["/var/lib/microfilm-bot"] == settings["ReadWritePaths"]
    assert settings["KillSignal"] == ["SIGTERM"] and settings["RestartPreventExitStatus"] == ["2"]

    (check,) = settings["ExecStartPre"]
    code, said = await run(as_here(shlex.split(check)), env)
    assert code == 0 and said.startswith("config OK") and "platforms: telegram" in said, said
    assert fake.token not in said
    (start,) = settings["ExecStart"]
    health = as_here([shlex.split(start)[0], "health"])
    log = await serve_then_stop(as_here(shlex.split(start)), env, fake, health, signal.SIGTERM)
    assert "stopped cleanly" in log and fake.token not in log
    assert (tmp_path / "state" / "microfilm.sqlite3").exists()


async def test_the_docker_image_runs_its_entrypoint_and_healthcheck(fake: FakeTelegram, tmp_path: Path) -> None:
    image = dockerfile()
    assert image["FROM"][0].endswith("-slim") and image["USER"] == ["microfilm"]
    env = clean_env()
    for assignment in shlex.split(" ".join(image["ENV"])):
        key, value = assignment.split("=", 1)
        env[key] = value.replace("/data", str(tmp_path))
    assert image["VOLUME"] == ["/data"] and env["MICROFILM_DB"] == str(tmp_path / "microfilm.sqlite3")
    # what `docker run -e MICROFILM_TELEGRAM_TOKEN=... -e MICROFILM_CONFIG=/data/config.toml` adds
    (tmp_path / "config.toml").write_text(telegram_config(fake), encoding="utf-8")
    env |= {"MICROFILM_TELEGRAM_TOKEN": fake.token, "MICROFILM_CONFIG": str(tmp_path / "config.toml")}
    command = json.loads(image["ENTRYPOINT"][0]) + json.loads(image["CMD"][0])
    healthcheck = image["HEALTHCHECK"][0]
    health = json.loads(healthcheck[healthcheck.index("CMD ") + 4:])
    stop = signal.Signals[image["STOPSIGNAL"][0]]
    log = await serve_then_stop(as_here(command), env, fake, as_here(health), stop)
    assert "stopped cleanly" in log and fake.token not in log
    code, said = await run(as_here(health), env)  # stopped: down, and the supervisor would know
    assert code == 1 and said.startswith("down"), said
