"""A one-line progress bar for ingest on stderr: paragraphs done, paragraphs per second, time left."""
from __future__ import annotations

import sys
import time
from typing import TextIO


def _clock(seconds: float) -> str:
    seconds = int(max(0, seconds))
    h, rest = divmod(seconds, 3600)
    return f"{h}:{rest // 60:02d}:{rest % 60:02d}" if h else f"{rest // 60:02d}:{rest % 60:02d}"


class ProgressBar:
    """Call with (done, total). Draws at most ~5 times a second; silent when the stream is not a terminal."""

    def __init__(self, stream: TextIO | None = None, width: int = 28, force: bool = False):
        self.stream = stream or sys.stderr
        self.width = width
        self.enabled = force or (hasattr(self.stream, "isatty") and self.stream.isatty())
        self._start = time.monotonic()  # ingest starts when the bar is made: reading counts too
        self._last = 0.0

    def line(self, done: int, total: int, elapsed: float) -> str:
        filled = self.width * done // max(1, total)
        rate = done / elapsed if elapsed > 0 else 0.0
        eta = _clock((total - done) / rate) if rate > 0 else "--:--"
        return (f"嵌入 [{'#' * filled}{'.' * (self.width - filled)}] {done}/{total} 段 "
                f"{rate:.1f} 段/秒 剩余 {eta}")

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if done < total and now - self._last < 0.2:
            return
        self._last = now
        end = "\n" if done >= total else ""
        print("\r" + self.line(done, total, now - self._start), end=end, file=self.stream, flush=True)
