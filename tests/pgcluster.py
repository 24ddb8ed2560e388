"""A private, throwaway PostgreSQL cluster for one test: its own data directory, port and socket, trust auth — so a
test may stop and restart it without touching the machine's shared server (other runs use that one)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import psycopg

BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
OWNER = "postgres"  # initdb refuses to run as root: as root, the cluster is run as this user


def missing() -> str | None:
    """Why no private cluster can be made here (None when it can)."""
    absent = [name for name in ("initdb", "pg_ctl", "postgres") if not (BIN / name).is_file()]
    if absent:
        return f"PostgreSQL server binaries not found in {BIN} ({', '.join(absent)}); set PG_BIN to their directory"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PrivateCluster:
    """initdb + pg_ctl on a temporary directory; `url` reaches its database `bot` as postgres over TCP."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="pgcluster-"))
        self.data, self.log = self.root / "data", self.root / "server.log"
        self.port = _free_port()
        self.as_root = os.geteuid() == 0
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/bot"
        try:
            if self.as_root:
                shutil.chown(self.root, OWNER, OWNER)
            self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync")
            self.start()
            self._execute("CREATE DATABASE bot")
        except BaseException:
            self.close()
            raise

    def _command(self, program: str, *args: str) -> list[str]:
        command = [program if "/" in program else str(BIN / program), *args]
        return ["runuser", "-u", OWNER, "--", *command] if self.as_root else command

    def _run(self, program: str, *args: str) -> str:
        done = subprocess.run(self._command(program, *args), capture_output=True, text=True, timeout=120,
                              cwd=self.root)
        if done.returncode != 0:
            raise RuntimeError(f"{program} {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
                               f"\n{self.server_log()}")
        return done.stdout

    def _execute(self, sql: str) -> None:
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres",
                             autocommit=True) as conn:
            conn.execute(sql)  # type: ignore[arg-type]

    def server_log(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""

    def start(self) -> None:
        """Start and wait until it accepts connections."""
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        """Stop (fast: every session is cut off at once) and wait until it is down."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def close(self) -> None:
        """Stop it (if running) and delete everything it wrote."""
        try:
            if (self.data / "postmaster.pid").exists():
                self.stop("immediate")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
