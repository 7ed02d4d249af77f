"""Embedded PostgreSQL 16 for local development, run from the pgserver wheel's binaries.

pgserver.get_server() is deliberately not used: as root it creates an OS user of its own
and chmods every parent of the data folder up to /. We drive initdb and pg_ctl ourselves.
"""

from __future__ import annotations

import importlib.util
import os
import pathlib
import pwd
import shlex
import stat
import subprocess
import urllib.parse
from typing import Self

PORT = 5432
SOCKET_PATH_MAX = 107  # sizeof(sockaddr_un.sun_path) on Linux, minus the trailing NUL
TIMEOUT = 60  # seconds pg_ctl waits for the server to start or stop


class EmbeddedPostgresError(RuntimeError):
    pass


def pg_install_dir() -> pathlib.Path:
    """The wheel's PostgreSQL install; pgserver._commands.POSTGRES_BIN_PATH is its bin/."""
    # find_spec does not import pgserver, whose __init__ pulls in psutil, platformdirs...
    spec = importlib.util.find_spec("pgserver")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedPostgresError("pgserver is not installed (see requirements.txt)")
    package = pathlib.Path(next(iter(spec.submodule_search_locations)))
    install = package / "pginstall"
    if not (install / "bin" / "postgres").is_file():
        raise EmbeddedPostgresError(f"no PostgreSQL binaries found in {install}")
    return install


class EmbeddedPostgres:
    def __init__(self, data_dir: pathlib.Path, os_user: str = "mpanel-pg"):
        self.data_dir = pathlib.Path(data_dir).absolute()
        self.pgdata = self.data_dir / "pgdata"
        self.socket_dir = self.data_dir / "run"
        self.log_file = self.data_dir / "postgres.log"
        self.os_user = os_user
        socket = os.fsencode(self.socket_dir / f".s.PGSQL.{PORT}")
        if len(socket) > SOCKET_PATH_MAX:
            raise EmbeddedPostgresError(
                f"the PostgreSQL socket path {os.fsdecode(socket)} is {len(socket)} "
                f"bytes long, but Unix socket paths are limited to {SOCKET_PATH_MAX} "
                "bytes; choose a shorter data folder"
            )

    @property
    def url(self) -> str:
        host = urllib.parse.quote(str(self.socket_dir), safe="/")
        return f"postgresql+psycopg://postgres@/postgres?host={host}"

    def start(self) -> str:
        if self.is_running():
            return self.url
        install = pg_install_dir()
        self.socket_dir.mkdir(parents=True, exist_ok=True)
        # Auth is "trust": only the server's OS user (and root) may reach the socket.
        self.socket_dir.chmod(0o700)
        self.log_file.touch()
        if os.geteuid() == 0:
            self._prepare_for_root(install)

        bin_dir = install / "bin"
        if not (self.pgdata / "PG_VERSION").exists():
            initdb_args = ["-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C"]
            self._run(bin_dir / "initdb", "-D", self.pgdata, *initdb_args)
        # pg_ctl passes -o through /bin/sh, hence the shell quoting.
        socket_dir = shlex.quote(str(self.socket_dir))
        options = f"-c listen_addresses='' -c unix_socket_directories={socket_dir}"
        options += f" -p {PORT}"
        ctl_args = ["-l", self.log_file, "-w", "-t", TIMEOUT, "-o", options]
        self._run(bin_dir / "pg_ctl", "start", "-D", self.pgdata, *ctl_args)
        return self.url

    def stop(self) -> None:
        if not self.is_running():
            return
        pg_ctl = pg_install_dir() / "bin" / "pg_ctl"
        try:
            self._run(
                pg_ctl, "stop", "-D", self.pgdata, "-m", "fast", "-w", "-t", TIMEOUT
            )
        except EmbeddedPostgresError:
            if self.is_running():  # otherwise it exited on its own meanwhile
                raise

    def is_running(self) -> bool:
        try:
            pidfile = (self.pgdata / "postmaster.pid").read_text()
            pid = int(pidfile.split("\n", 1)[0])
        except (FileNotFoundError, ValueError):
            return False
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            pass  # alive, but owned by another user
        # A stale pidfile's pid may belong to an unrelated process by now
        # (e.g. after a container restart).
        try:
            argv = pathlib.Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except FileNotFoundError:
            return False
        return argv[0].endswith(b"postgres")

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _prepare_for_root(self, install: pathlib.Path) -> None:
        """PostgreSQL refuses to run as root: run it as os_user, who must reach its files."""
        try:
            user = pwd.getpwnam(self.os_user)
        except KeyError:
            nologin = ["--no-create-home", "--shell", "/usr/sbin/nologin"]
            command = ["useradd", "--system", *nologin, self.os_user]
            result = subprocess.run(
                command, check=False, capture_output=True, text=True
            )
            if result.returncode != 0:
                raise EmbeddedPostgresError(
                    f"could not create OS user {self.os_user!r}: {result.stderr.strip()}"
                ) from None
            user = pwd.getpwnam(self.os_user)

        self._check_traversable(
            self.data_dir.parent,
            user,
            "choose a data folder whose parent directories are all traversable (o+x)",
        )
        self._check_traversable(
            install,
            user,
            "install the virtualenv where every directory on its path is traversable (o+x)",
        )
        os.chown(self.data_dir, user.pw_uid, user.pw_gid)
        for dirpath, dirnames, filenames in os.walk(self.data_dir):
            for name in dirnames + filenames:
                path = os.path.join(dirpath, name)
                os.chown(path, user.pw_uid, user.pw_gid, follow_symlinks=False)

    @staticmethod
    def _check_traversable(
        directory: pathlib.Path, user: pwd.struct_passwd, fix: str
    ) -> None:
        groups = set(os.getgrouplist(user.pw_name, user.pw_gid))
        for path in [*reversed(directory.parents), directory]:
            st = path.stat()
            if st.st_uid == user.pw_uid:
                bit = stat.S_IXUSR
            elif st.st_gid in groups:
                bit = stat.S_IXGRP
            else:
                bit = stat.S_IXOTH
            if not st.st_mode & bit:
                raise EmbeddedPostgresError(
                    f"PostgreSQL runs as OS user {user.pw_name!r}, which cannot enter "
                    f"{path} ({stat.filemode(st.st_mode)}, owner uid {st.st_uid}); "
                    f"{fix}. MPanel does not change permissions outside its data folder."
                )

    def _run(self, program: pathlib.Path, *args: object) -> None:
        command = [str(program), *map(str, args)]
        if os.geteuid() == 0:
            command = ["runuser", "-u", self.os_user, "--", *command]
        with self.log_file.open("ab") as log:
            try:
                result = subprocess.run(
                    command,
                    check=False,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    cwd=self.data_dir,
                    timeout=TIMEOUT + 30,
                )
                failure = f"failed with exit code {result.returncode}"
            except subprocess.TimeoutExpired:
                result, failure = None, "timed out"
        if result is None or result.returncode != 0:
            raise EmbeddedPostgresError(
                f"{program.name} {failure}; last lines of {self.log_file}:\n"
                + self._log_tail()
            )

    def _log_tail(self, lines: int = 20) -> str:
        try:
            text = self.log_file.read_text(errors="replace")
        except OSError:
            return "(log not readable)"
        return "\n".join(text.splitlines()[-lines:])
