"""One writer per results folder: an exclusive ``flock`` on the folder itself.

The lock is taken on the directory (no lock file, so taking it changes no byte of the
folder) for the whole sweep and released when the process ends, however it ends: a
killed sweep never leaves a stale lock. Once the sweep has checked the folder it records
itself in ``writer.json`` (pid, host, start time, command), so a second writer is refused
with one message naming the holder (:class:`FolderBusy`).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from sweeps.storage import FolderError, write_json

HOLDER_FILE = "writer.json"
#: How long a refused writer waits for the holder to record itself before naming no one.
HOLDER_WAIT_SECONDS = 2.0


class FolderBusy(FolderError):
    """Another process is writing the results folder."""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _holder(path: Path) -> dict | None:
    """The live holder recorded in writer.json (None: not recorded, or a dead process's)."""
    try:
        holder = json.loads((path / HOLDER_FILE).read_text())
        pid = int(holder["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if holder.get("host") == socket.gethostname() and not _alive(pid):
        return None  # left by a killed sweep; the live holder has not recorded itself yet
    return holder


def lock_owner(path: str | Path) -> int | None:
    """The pid holding a flock on ``path``, from /proc/locks (Linux; None elsewhere)."""
    try:
        stat = os.stat(path)
        lines = Path("/proc/locks").read_text().splitlines()
    except OSError:
        return None
    device = f"{os.major(stat.st_dev):02x}:{os.minor(stat.st_dev):02x}:{stat.st_ino}"
    candidates = []
    for line in lines:
        fields = line.split()
        if len(fields) < 6 or fields[1] != "FLOCK" or not fields[4].isdigit():
            continue  # "->" lines are waiters
        if fields[5] == device:
            return int(fields[4])
        if fields[5].endswith(f":{stat.st_ino}"):
            candidates.append(int(fields[4]))
    return candidates[0] if len(candidates) == 1 else None


def _command_of(pid: int) -> str:
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return ""
    return " ".join(a.decode(errors="replace") for a in argv if a)


def describe_holder(path: Path, wait: float = HOLDER_WAIT_SECONDS) -> str:
    """Who holds the lock on ``path``, as one phrase: writer.json, else /proc/locks."""
    deadline = time.monotonic() + wait
    owner = lock_owner(path)
    while True:
        holder = _holder(path)
        if holder is not None and (owner is None or int(holder["pid"]) == owner):
            break
        holder = None
        if owner is not None or time.monotonic() >= deadline:
            break
        time.sleep(0.05)
    if holder is None and owner is not None:
        holder = {"pid": owner, "host": socket.gethostname(), "command": _command_of(owner)}
    if holder is None:
        return "another process (it has not recorded itself yet)"
    command = " ".join(str(holder.get("command", "")).split())
    command = f", running {command[:120]!r}" if command else ""
    since = f"since {holder['started']}" if holder.get("started") else "checking the folder"
    return f"process {holder['pid']} on {holder.get('host', '?')} ({since}){command}"


class FolderLock:
    """An exclusive, non-blocking lock on a directory, held until :meth:`release`."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.fd: int | None = None
        self.recorded = False
        self.new = False  # set by writing(): the folder holds no sweep yet

    def acquire(self) -> FolderLock:
        """Take the lock, or raise :class:`FolderBusy` naming the holder."""
        fd = os.open(self.path, os.O_RDONLY | os.O_DIRECTORY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise FolderBusy(
                f"{self.path} is being written by {describe_holder(self.path)}; wait for it "
                "to finish (then --resume) or choose another --out; nothing was changed"
            ) from None
        except BaseException:
            os.close(fd)
            raise
        self.fd = fd
        return self

    def record(self) -> None:
        """Write writer.json: who holds the lock."""
        write_json(
            self.path / HOLDER_FILE,
            {
                "pid": os.getpid(),
                "host": socket.gethostname(),
                "started": datetime.now(UTC).isoformat(timespec="seconds"),
                "command": _command(),
            },
        )
        self.recorded = True

    def release(self) -> None:
        if self.fd is None:
            return
        if self.recorded:
            with contextlib.suppress(OSError):
                (self.path / HOLDER_FILE).unlink()
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)
        self.fd = None

    def __enter__(self) -> FolderLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


def is_locked(path: str | Path) -> bool:
    """Whether some process holds the lock on ``path`` (a sweep is writing it)."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def _command() -> str:
    argv = sys.argv
    if argv and Path(argv[0]).name in ("latam-ai", "cli.py"):
        return " ".join(["latam-ai", *argv[1:]])
    return " ".join(argv)


def _refuse_to_open(path: Path, resume: bool) -> None:
    """Refuse a folder a sweep may not write: checked under the lock, nothing written."""
    entries = sorted(p.name for p in path.iterdir())
    if "manifest.json" in entries:
        if not resume:
            raise FolderError(
                f"{path} already holds a sweep; use --resume to continue it or choose another --out"
            )
        return
    if resume:
        raise FolderError(
            f"{path} holds no sweep (no manifest.json), so --resume has nothing to continue; "
            "it is not adopted: choose the folder a sweep wrote, or drop --resume and give "
            "an empty or new --out"
        )
    if entries:
        shown = ", ".join(entries[:5]) + (", ..." if len(entries) > 5 else "")
        raise FolderError(
            f"{path} is not empty and holds no sweep (it has {shown}); choose a new or "
            "empty --out (nothing was written)"
        )


@contextlib.contextmanager
def writing(path: str | Path, resume: bool):
    """Open ``path`` for one sweep: yields the held :class:`FolderLock` (``.new``: whether
    the folder starts empty). Refused: an --out that is a file, ``resume`` of a missing
    folder or of one without manifest.json, a new sweep into a folder that holds one or
    is not empty, a folder another process writes. A new folder that fails before its
    manifest is written is removed again."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise FolderError(f"{path}: --out is a file, not a folder")
    created: Path | None = None  # the first folder this call made (removed on failure)
    if not path.exists():
        if resume:
            raise FolderError(
                f"{path}: no such results folder; --resume continues a sweep in the folder "
                "it wrote (drop --resume to start one)"
            )
        created = path
        while not created.parent.exists() and created.parent != created:
            created = created.parent
        try:
            path.mkdir(parents=True)
        except FileExistsError:
            created = None
            pass
        except OSError as exc:
            raise FolderError(
                f"cannot write the results folder {path}: {exc.strerror or exc}"
            ) from None
    try:
        lock = FolderLock(path).acquire()
    except OSError as exc:
        raise FolderError(
            f"cannot write the results folder {path}: {exc.strerror or exc}"
        ) from None
    try:
        try:
            _refuse_to_open(path, resume)
        except OSError as exc:
            raise FolderError(f"cannot read the results folder {path}: {exc.strerror}") from None
        lock.new = not (path / "manifest.json").exists()
        try:
            yield lock
        except BaseException:
            if lock.new and not (path / "manifest.json").exists():
                _remove_new(path, created)
            raise
    finally:
        lock.release()


def _remove_new(path: Path, created: Path | None) -> None:
    """Undo a new folder's start (a failure before its manifest): remove what it wrote."""
    import shutil

    from sweeps.storage import KINDS, OWN_FILES

    if created is not None:
        shutil.rmtree(created, ignore_errors=True)
        return
    for name in OWN_FILES:
        with contextlib.suppress(OSError):
            (path / name).unlink()
    for name in KINDS:
        shutil.rmtree(path / name, ignore_errors=True)
    for leftover in path.glob(".*.tmp"):
        with contextlib.suppress(OSError):
            leftover.unlink()
