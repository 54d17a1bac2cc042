"""Real Unix users for the team tests: a group, users in it with homes under a scratch folder, a shared setgid cache.

    with UnixTeam(["a", "b", "c"]) as team:     # needs root; users are hk<pid><letter>
        team.users["a"].name, team.users["a"].home, team.cache, team.group
        team.run_as("a", [team.python, "-c", ...], env)   # a subprocess as that user (umask 002)
        team.python                               # an interpreter every user may run, with the test venv's packages

Everything is removed on exit, also after a failure: the users' processes, the users, the group, the folder.
"""
from __future__ import annotations

import grp
import os
import pwd
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass
class TeamUser:
    name: str
    uid: int
    gid: int
    home: Path

    @property
    def hf_home(self) -> Path:
        """huggingface_hub's default HF_HOME for this user (their token lives there, not in the shared cache)."""
        return self.home / ".cache" / "huggingface"


def require_root() -> None:
    if os.geteuid() != 0:
        pytest.skip("team tests create Unix users: run as root")


class UnixTeam:
    """A group `hk<pid>` with users `hk<pid><letter>` and a shared cache `<base>/cache` (group-owned, mode 2775)."""

    def __init__(self, letters: list[str]):
        self.letters = letters
        tag = f"hk{os.getpid() % 100000}"
        self.group = tag
        self.names = {letter: f"{tag}{letter}" for letter in letters}
        self.users: dict[str, TeamUser] = {}
        self.base = Path(tempfile.mkdtemp(prefix="hubkernel-team-"))
        self.cache = self.base / "cache"

    def __enter__(self) -> "UnixTeam":
        require_root()
        try:
            self.base.chmod(0o755)
            subprocess.run(["groupadd", self.group], check=True)
            for letter, name in self.names.items():
                home = self.base / "home" / name
                home.parent.mkdir(exist_ok=True)
                # Password "*": no password login, but not a locked account (sshd refuses those to keys too).
                subprocess.run(["useradd", "--create-home", "--home-dir", str(home), "--gid", self.group, "--password", "*",
                                "--shell", "/bin/bash", name], check=True, capture_output=True)
                entry = pwd.getpwnam(name)
                self.users[letter] = TeamUser(name, entry.pw_uid, entry.pw_gid, home)
            self.python = python_for_everyone(self.base / "python")
            self.cache.mkdir()
            os.chown(self.cache, 0, grp.getgrnam(self.group).gr_gid)
            self.cache.chmod(0o2775)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc) -> None:
        uids = {user.uid for user in self.users.values()}
        for name in self.names.values():  # users whose creation failed half-way
            try:
                uids.add(pwd.getpwnam(name).pw_uid)
            except KeyError:
                pass
        kill_processes_of(uids)
        for name in self.names.values():
            subprocess.run(["userdel", "--force", name], capture_output=True)
        subprocess.run(["groupdel", self.group], capture_output=True)
        shutil.rmtree(self.base, ignore_errors=True)

    @property
    def gid(self) -> int:
        return grp.getgrnam(self.group).gr_gid

    def as_user(self, letter: str, env: dict[str, str], umask: int = 0o002) -> dict:
        """subprocess options that run a command as that user (their HOME and group, `umask`, in their home)."""
        user = self.users[letter]
        return dict(env=dict(env, HOME=str(user.home), USER=user.name, LOGNAME=user.name), user=user.uid,
                    group=user.gid, extra_groups=[user.gid], umask=umask, cwd=user.home)

    def run_as(self, letter: str, argv: list[str], env: dict[str, str], timeout: float = 120,
               umask: int = 0o002) -> subprocess.CompletedProcess:
        """Runs `argv` as that user, capturing text output."""
        return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, **self.as_user(letter, env, umask))


def python_for_everyone(folder: Path) -> str:
    """The test venv's interpreter when every user may run it; else (a venv made from an interpreter under /root, as
    pyenv's) a venv of Debian's python3 in `folder` that sees the test venv's packages through a .pth file."""
    interpreter = Path(os.path.realpath(sys.executable))
    if all(os.stat(parent).st_mode & stat.S_IXOTH for parent in interpreter.parents):
        return sys.executable
    subprocess.run(["/usr/bin/python3", "-m", "venv", "--without-pip", str(folder)], check=True)
    packages = next(Path(sys.prefix).glob("lib/python3*/site-packages"))
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    (folder / "lib" / version / "site-packages" / "test-venv.pth").write_text(f"{packages}\n")
    return str(folder / "bin" / "python3")


def kill_processes_of(uids: set[int]) -> None:
    """SIGKILLs every process owned by one of `uids` (users this test created), then waits until they are gone."""
    def pids() -> list[int]:
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if entry.stat().st_uid in uids:
                        found.append(int(entry.name))
                except FileNotFoundError:
                    pass
        return found
    deadline = time.monotonic() + 10
    while (left := pids()) and time.monotonic() < deadline:
        for pid in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.1)
