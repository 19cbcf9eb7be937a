"""A throw-away PostgreSQL server for tests and benches: initdb into a temporary folder, started with
pg_ctl on a Unix socket in that folder (no TCP port is opened), stopped and deleted afterwards.

`python -m bot.testing.postgres -- COMMAND ...` runs COMMAND with MICROFILM_TEST_POSTGRES set to the
server's URL. The server binaries come from the `postgresql` package (Debian installs them under
/usr/lib/postgresql/<version>/bin, which is searched too). PostgreSQL refuses to run as root; as root the
server runs as the `postgres` user (or `nobody`).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import random
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

ENV = "MICROFILM_TEST_POSTGRES"
# Durability is not wanted of a server that lives for one test run: these make it several times faster.
FAST = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300"


def _binary(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for folder in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (folder / name).exists():
            return str(folder / name)
    raise SystemExit(f"{name} not found: install PostgreSQL (Debian: apt-get install postgresql)")


def _runner() -> list[str]:
    """The prefix that runs a server command as a user PostgreSQL accepts."""
    if os.geteuid() != 0:
        return []
    for user in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(user)
            return ["runuser", "-u", user, "--"]
    raise SystemExit("running as root with neither a postgres nor a nobody user to run the server as")


@contextlib.contextmanager
def throwaway_server() -> Iterator[str]:
    """A fresh server for the block; yields its URL (database `postgres`, user `postgres`)."""
    folder = Path(tempfile.mkdtemp(prefix="microfilm-pg-"))
    runner = _runner()
    if runner:
        shutil.chown(folder, runner[2])
    data, port = folder / "data", random.randint(20000, 60000)
    try:
        subprocess.run([*runner, _binary("initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
                        "-E", "UTF8", "--no-sync", "--locale=C.UTF-8"], check=True, stdout=subprocess.DEVNULL)
        options = f"-k {folder} -c listen_addresses='' -p {port} {FAST}"
        subprocess.run([*runner, _binary("pg_ctl"), "-D", str(data), "-o", options, "-l", str(folder / "log"),
                        "-w", "start"], check=True, stdout=subprocess.DEVNULL)
        try:
            yield f"postgresql://postgres@/postgres?host={folder}&port={port}"
        finally:
            subprocess.run([*runner, _binary("pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                           check=False, stdout=subprocess.DEVNULL)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main(argv: list[str]) -> int:
    command = argv[1:] if argv[:1] == ["--"] else argv
    if not command:
        print("usage: python -m bot.testing.postgres -- COMMAND ...", file=sys.stderr)
        return 2
    with throwaway_server() as url:
        return subprocess.run(command, env={**os.environ, ENV: url}, check=False).returncode


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
