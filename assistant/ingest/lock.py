"""One ingest at a time per index: an exclusive lock file beside the index directory.

The lock is an ``flock`` on the file, so the kernel releases it when its process dies, however it dies: a lock
left by a killed ingest is simply taken over. The file also records the holder's pid for the message.
"""
from __future__ import annotations

import fcntl
import os
from pathlib import Path

from assistant.errors import IndexStoreError


class IngestLockedError(IndexStoreError):
    """Another process is writing this index."""


class IndexLock:
    def __init__(self, index_dir: Path):
        index_dir = Path(index_dir)
        self.path = index_dir.with_name(f".{index_dir.name}.lock")
        self._fd: int | None = None

    def holder(self) -> int | None:
        try:
            return int(self.path.read_text().strip() or 0) or None
        except (OSError, ValueError):
            return None

    def acquire(self) -> "IndexLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            pid = self.holder()
            raise IngestLockedError(f"another ingest is running (pid {pid or '?'}); wait for it to finish "
                                    f"(lock file {self.path})") from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            try:
                os.ftruncate(self._fd, 0)
            finally:
                os.close(self._fd)  # closing releases the flock
                self._fd = None

    def __enter__(self) -> "IndexLock":
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()
