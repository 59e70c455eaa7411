"""The reports a running server may change: the web chat's 报告 tab and ``POST``/``DELETE /api/sources``.

The index mirrors the files in ``data_dir`` (what ``assistant ingest`` and start-up index), so a report is added by
writing it there and removed by moving it out, and then running the same incremental ingest. Nothing is lost: a
report replaced by an upload of the same name, or removed, is moved to ``data_dir/.removed/`` (hidden folders are
never indexed), and a change that fails puts the files back as they were. An upload is read first, in a hidden
staging folder, so a file that is not a readable report never reaches ``data_dir``. One change at a time; while
it runs, questions are answered from the old index, and the new one is swapped in when it is published (live.py).
"""
from __future__ import annotations

import contextlib
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Callable

from assistant.config import Config
from assistant.errors import AssistantError
from assistant.index.store import location
from assistant.ingest.pipeline import IngestReport, read_report, update_index
from assistant.ingest.reader import SUFFIXES

REMOVED = ".removed"
STAGING = ".incoming"
Progress = Callable[[int, int], None]


class LibraryError(AssistantError):
    """A change refused before anything was touched; STATUS is the HTTP status that says why."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


@dataclass
class Change:
    """What one add or remove did."""
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    report: IngestReport | None = None

    def summary(self) -> str:
        done = [f"已添加 {'、'.join(self.added)}"] if self.added else []
        done += [f"已移除 {'、'.join(self.removed)}"] if self.removed else []
        total = f"索引中共 {self.report.files} 份报告、{self.report.paragraphs} 个段落" if self.report else ""
        return "；".join(done + ([total] if total else [])) + "。"


def _stamp() -> str:
    return time.strftime("%Y%m%d-%H%M%S") + f"-{time.monotonic_ns() % 1_000_000:06d}"


class Library:
    WAIT = 600.0  # seconds a change waits for the one before it

    def __init__(self, live, config: Config, allowed: bool = True, why_not: str = ""):
        self.live, self.config = live, config
        self.allowed, self.why_not = allowed and config.uploads, why_not or "这个服务器不允许修改报告（uploads = false）"
        self.root = Path(config.data_dir)
        self.max_bytes = config.upload_max_mb * 1024 * 1024
        self.max_files = config.upload_max_files
        self._busy = threading.Lock()
        self.progress: dict | None = None  # while a change runs: what it does and how far it got

    # -- what is there -------------------------------------------------------------------------------------
    def listing(self) -> list[dict]:
        """The indexed reports, newest index: file, title, paragraphs, format, date and when indexed."""
        rows = self.live.current().store.sources()
        return [{"source": m["source"], "title": m.get("title") or m["source"],
                 "paragraphs": int(m.get("paragraphs") or 0),
                 **{k: m[k] for k in ("format", "date", "sha", "indexed") if m.get(k)}} for m in rows]

    # -- checks --------------------------------------------------------------------------------------------
    def _check_allowed(self) -> None:
        if not self.allowed:
            raise LibraryError(self.why_not, 403)
        if not self.root.is_dir():
            raise LibraryError(f"资料目录 {self.root} 不是一个文件夹（data_dir 是单个文件时，请用 assistant ingest 管理报告）",
                               409)

    def check_name(self, name: str) -> str:
        """The file name an upload is stored under, or LibraryError: a plain name with a report suffix."""
        base = PurePosixPath(str(name or "").replace("\\", "/")).name.strip()
        if not base or base.startswith(".") or len(base.encode()) > 200 or any(ord(c) < 32 for c in base):
            raise LibraryError(f"文件名不可用：{name!r}（请用普通文件名，如 报告.pdf）")
        if Path(base).suffix.lower() not in SUFFIXES:
            raise LibraryError(f"{base}：不支持的文件类型（支持 {' '.join(SUFFIXES)}）", 415)
        return base

    def _path_of(self, source: str) -> Path:
        """The file in data_dir a source name stands for; LibraryError if it is not one of them."""
        if source not in {r["source"] for r in self.listing()}:
            raise LibraryError(f"索引中没有报告 {source!r}（见报告列表）", 404)
        path = (self.root / source).resolve()
        if self.root.resolve() not in path.parents or not path.is_file():
            raise LibraryError(f"{source} 不在资料目录 {self.root} 中，无法在这里移除（请用 assistant ingest 管理）", 409)
        return path

    # -- changes -------------------------------------------------------------------------------------------
    def add(self, files: list[tuple[str, bytes]], progress: Progress | None = None) -> Change:
        """Index FILES ((name, content) pairs); a file of an existing name replaces that report."""
        self._check_allowed()
        if not files:
            raise LibraryError("没有收到文件")
        if len(files) > self.max_files:
            raise LibraryError(f"一次最多上传 {self.max_files} 个文件（收到 {len(files)} 个）", 413)
        named: dict[str, bytes] = {}
        for name, data in files:
            base = self.check_name(name)
            if len(data) > self.max_bytes:
                raise LibraryError(f"{base}：{len(data) / 1048576:.1f} MB，超过上传上限 {self.config.upload_max_mb} MB", 413)
            if not data.strip():
                raise LibraryError(f"{base}：文件是空的")
            named[base] = data
        with self._change("add " + ", ".join(named)):
            staging = self.root / STAGING / _stamp()
            staging.mkdir(parents=True)
            try:
                for base, data in named.items():  # read before anything changes: a bad file changes nothing
                    (staging / base).write_bytes(data)
                    why = read_report(staging / base, base)[1]
                    if why:
                        why = why.removeprefix(f"{staging / base}: ").removeprefix(f"{base}: ")
                        raise LibraryError(f"{base}：无法作为报告读取（{why}）", 422)
                moves = []
                for base in named:
                    target = self.root / base
                    if target.exists():
                        moves.append((target, self._removed_path(base)))
                    moves.append((staging / base, target))
                return self._apply(moves, Change(added=sorted(named)), progress)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
                with contextlib.suppress(OSError):
                    staging.parent.rmdir()  # when no other upload is staged there

    def remove(self, source: str, progress: Progress | None = None) -> Change:
        """Take SOURCE out of the index; its file is kept in data_dir/.removed/."""
        self._check_allowed()
        with self._change("remove " + source):
            path = self._path_of(source)
            if len(self.listing()) <= 1:
                raise LibraryError("不能移除最后一份报告：索引里至少要有一份（先上传另一份）", 409)
            return self._apply([(path, self._removed_path(source))], Change(removed=[source]), progress)

    def _removed_path(self, source: str) -> Path:
        return self.root / REMOVED / _stamp() / source

    @contextlib.contextmanager
    def _change(self, what: str):
        """One change at a time: a second waits for the first (up to WAIT seconds)."""
        if not self._busy.acquire(timeout=self.WAIT):
            raise LibraryError("另一次报告更新仍在进行，请稍后再试", 409)
        self.progress = {"change": what, "done": 0, "total": 0}
        try:
            yield
        finally:
            self.progress = None
            self._busy.release()

    def _tracked(self, progress: Progress | None) -> Progress:
        def tell(done: int, total: int) -> None:
            if self.progress is not None:
                self.progress.update(done=done, total=total)
            if progress:
                progress(done, total)
        return tell

    def _apply(self, moves: list[tuple[Path, Path]], change: Change, progress: Progress | None) -> Change:
        """Move the files, ingest, and on any failure move them back (the index is left as it was: a failed
        ingest never publishes)."""
        done: list[tuple[Path, Path]] = []
        try:
            for src, dst in moves:
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(str(src), str(dst))
                done.append((src, dst))
            assistant = self.live.current()
            change.report = update_index([self.root], location(self.config), assistant.retriever.embedder,
                                         assistant.tokenizer, progress=self._tracked(progress))
        except BaseException:
            for src, dst in reversed(done):
                if dst.exists() and not src.exists():
                    shutil.move(str(dst), str(src))
            raise
        self.live.current()  # swap the new index in now, so the reply and the next question see it
        return change
