"""Ingestion: report files -> documents -> paragraph chunks -> embeddings -> the index, incrementally.

A file is known by its content hash. Re-ingesting unchanged files embeds nothing; a changed file's paragraphs
replace exactly its old ones (paragraphs whose text did not change keep their stored embeddings); a deleted
file's paragraphs go. An index built by another embedder, chunking version, tokenizer or store version is
rebuilt whole, never mixed with new records. One ingest at a time (lock.py); see store.py for why a killed
ingest leaves the previous index answering.
"""
from __future__ import annotations

import dataclasses
import hashlib
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import numpy as np

from assistant.config import Config
from assistant.errors import IndexStoreError, ReadError
from assistant.index import bm25 as bm25_store
from assistant.index import store as store_mod
from assistant.index import writer
from assistant.index.embedder import Embedder
from assistant.index.tokens import Tokenizer
from assistant.ingest.document import (
    CHUNKING_VERSION,
    Chunk,
    Document,
    build_document,
    chunk_paragraph,
)
from assistant.ingest.lock import IndexLock, IngestLockedError
from assistant.ingest.reader import (
    SUFFIXES,
    file_sha256,
    find_files,
    read_file,
    too_large,
)

Notify = Callable[[str], None]
Progress = Callable[[int, int], None]  # (paragraphs done, paragraphs to do)
BATCH = 32


@dataclass
class IngestReport:
    files: int = 0  # in the index afterwards
    paragraphs: int = 0
    chunks: int = 0
    seconds: float = 0.0
    skipped: list[str] = field(default_factory=list)  # one message per unreadable file
    embedded: int = 0  # chunks this run embedded
    reused: int = 0  # chunks of changed files whose stored embedding was kept
    unchanged: int = 0  # files left as they were
    changed: list[str] = field(default_factory=list)  # sources added or replaced
    removed: list[str] = field(default_factory=list)

    def summary(self) -> str:
        s = f"已索引 {self.files} 个文件、{self.paragraphs} 个段落（{self.chunks} 个向量块），用时 {self.seconds:.1f} 秒"
        s += f"；新增或更新 {len(self.changed)} 个文件（嵌入 {self.embedded} 块"
        s += f"，复用 {self.reused} 块）" if self.reused else "）"
        if self.unchanged:
            s += f"，{self.unchanged} 个未变"
        if self.removed:
            s += f"，移除 {len(self.removed)} 个"
        return s + (f"；跳过 {len(self.skipped)} 个文件" if self.skipped else "")


def _source_name(path: Path, roots: list[Path]) -> str:
    for root in roots:
        if root.is_dir():
            try:
                return path.resolve().relative_to(root.resolve()).as_posix()
            except ValueError:
                continue
    return path.name


def source_hashes(paths: list[Path], skipped: list[str] | None = None) -> dict[str, str]:
    """What the index should have been built from: source name -> sha256 of the file's bytes. Files over the
    size cap are left out (never read), as ingestion leaves them out; SKIPPED, when given, gets why."""
    out = {}
    for f in find_files(paths, skipped):
        try:
            sha = file_sha256(f)
        except OSError:
            continue  # unreadable now: ingestion will report it
        if sha is None:
            if skipped is not None:
                skipped.append(too_large(f, f.stat().st_size) or f"{f}: too large")
            continue
        out[_source_name(f, paths)] = sha
    return out


def manifest_for(embedder: Embedder, tokenizer: Tokenizer, sources: dict[str, str]) -> dict:
    return {"embedder": embedder.name, "dim": embedder.dim, "chunking": CHUNKING_VERSION,
            "tokenizer": tokenizer.fingerprint, "sources": sources}


def read_documents(paths: list[Path], report: IngestReport) -> list[Document]:
    docs = []
    for f in find_files(paths, report.skipped):
        doc = _read(f, _source_name(f, paths), report)
        if doc:
            docs.append(doc)
    return docs


def read_report(f: Path, name: str) -> tuple[Document | None, str | None]:
    """The document of file F indexed as NAME, or None and why it cannot be indexed."""
    try:
        raw = read_file(f)
    except ReadError as e:
        return None, str(e)
    doc = build_document(dataclasses.replace(raw, name=name))
    return (doc, None) if doc.paragraphs else (None, f"{name}: no paragraphs of text found")


def _read(f: Path, name: str, report: IngestReport) -> Document | None:
    doc, why = read_report(f, name)
    if why:
        report.skipped.append(why)
    return doc


def whole_rebuild_reason(manifest: dict, embedder: Embedder, tokenizer: Tokenizer) -> str | None:
    """Why the index cannot be updated in place, only rebuilt (its vectors or tokens are not comparable)."""
    m = manifest
    if m.get("embedder") != embedder.name or m.get("dim") != embedder.dim:
        return f"它由另一个嵌入模型构建（{m.get('embedder')}/{m.get('dim')}）"
    if m.get("chunking") != CHUNKING_VERSION:
        return f"它的分段版本是 {m.get('chunking')}，当前为 {CHUNKING_VERSION}"
    if m.get("tokenizer") != tokenizer.fingerprint:
        return "分词词典有变化"
    if m.get("store") != store_mod.STORE_VERSION:
        return "索引格式有更新"
    return None


def why_rebuild(store: store_mod.Store, embedder: Embedder, tokenizer: Tokenizer,
                sources: dict[str, str]) -> str | None:
    """A reason the index no longer matches what it should be built from, or None when it is current."""
    whole = whole_rebuild_reason(store.manifest, embedder, tokenizer)
    if whole:
        return whole
    indexed = {**store.manifest.get("skipped", {}), **store.manifest.get("sources", {})}
    if indexed != sources:
        changed = sorted(k for k in set(indexed) | set(sources) if indexed.get(k) != sources.get(k))
        return "报告文件有变化：" + "、".join(changed[:3]) + ("等" if len(changed) > 3 else "")
    return None


def update_index(paths: list[Path], where, embedder: Embedder, tokenizer: Tokenizer, rebuild: bool = False,
                 progress: Progress | None = None) -> IngestReport:
    """Make the index at WHERE (a directory or a store.Location) mirror the reports in PATHS."""
    loc = where if isinstance(where, store_mod.Location) else store_mod.Location(Path(where))
    t0 = time.perf_counter()
    report = IngestReport()
    with IndexLock(loc.path):
        loops: list[str] = []
        files = {_source_name(f, paths): f for f in find_files(paths, loops)}
        if not rebuild:
            try:
                current = store_mod.Store.open(loc)
            except IndexStoreError as e:
                if loc.url and "does not answer" in str(e):
                    raise
                rebuild = True
            else:
                rebuild = whole_rebuild_reason(current.manifest, embedder, tokenizer) is not None
                m, passed_over = current.manifest, []
                if not rebuild and {**m.get("skipped", {}), **m.get("sources", {})} == \
                        source_hashes(paths, passed_over):
                    # nothing changed: nothing to embed, and no reason to rewrite the index
                    docs = current.documents()
                    report.files = report.unchanged = len(docs)
                    report.paragraphs = sum(int(d.metadata.get("paragraphs") or 0) for d in docs)
                    report.chunks = current.size
                    report.skipped = passed_over + [f"{k}: 与上次相同，仍无法读取" for k in m.get("skipped", {})]
                    current.close()
                    report.seconds = time.perf_counter() - t0
                    return report
                current.close()
        report.skipped.extend(loops)
        with writer.update(loc, embedder.dim, fresh=rebuild) as w:
            _apply(files, w, embedder, tokenizer, report, progress, paths)
    report.seconds = time.perf_counter() - t0
    return report


def _apply(files: dict[str, Path], w: writer.Writer, embedder: Embedder, tokenizer: Tokenizer,
           report: IngestReport, progress: Progress | None, paths: list[Path]) -> None:
    old, old_skipped = w.manifest.get("sources", {}), w.manifest.get("skipped", {})
    sources: dict[str, str] = {}
    skipped: dict[str, str] = {}
    docs: list[Document] = []
    for name, f in files.items():
        try:
            sha = file_sha256(f)
        except OSError as e:
            report.skipped.append(f"{f}: cannot be read ({e.strerror or e})")
            continue
        if sha is None:  # over the size cap: named, never read, and (like source_hashes) not in the manifest
            report.skipped.append(too_large(f, f.stat().st_size) or f"{f}: too large")
            continue
        if old.get(name) == sha:
            sources[name] = sha
            report.unchanged += 1
        elif old_skipped.get(name) == sha:
            skipped[name] = sha
            report.skipped.append(f"{name}: 与上次相同，仍无法读取")
        else:
            doc = _read(f, name, report)
            if doc is None:
                skipped[name] = sha
            else:
                docs.append(doc)
                sources[name] = doc.sha256
    if not sources:
        detail = "; ".join(report.skipped) or f"no {'/'.join(SUFFIXES)} files"
        raise ReadError(f"nothing to index in {', '.join(map(str, paths))} ({detail})")
    report.changed = [d.source for d in docs]
    report.removed = sorted(set(old) - set(sources))
    _embed(docs, w, embedder, tokenizer, report, progress)
    docs.clear()  # stored now; publishing and BM25 need the memory at 100k paragraphs
    manifest = {**manifest_for(embedder, tokenizer, sources), "skipped": skipped}
    live = w.publish(manifest)
    table, tokenized = bm25_store.rows(live)
    del live
    from assistant.answering.calibration import BM25_B

    bm25_store.save(w.bm25_dir, w.manifest["generation"], table, bm25_store.Postings.build(tokenized, BM25_B))
    report.files, report.chunks = len(sources), len(table)
    report.paragraphs = len({m["pid"] for m in table})


def _embed(docs: list[Document], w: writer.Writer, embedder: Embedder, tokenizer: Tokenizer,
           report: IngestReport, progress: Progress | None) -> None:
    chunks: list[tuple[Document, Chunk]] = [(d, c) for d in docs for p in d.paragraphs
                                            for c in chunk_paragraph(p, embedder.count_tokens)]
    total = sum(len(d.paragraphs) for d in docs)
    if chunks:
        tokenizer.thaw()  # bulk tokenization: load jieba's real dictionary once
    reuse: dict[str, np.ndarray] = {}
    for d in docs if w.manifest else ():  # a changed file's unchanged paragraphs, or what a killed ingest embedded
        reuse.update(w.vectors(d.source))
    done = 0
    for i in range(0, len(chunks), BATCH):
        part = chunks[i:i + BATCH]
        texts = [c.indexed_text() for _, c in part]
        keys = [hashlib.sha1(t.encode()).hexdigest()[:16] for t in texts]
        # identical texts are embedded once: within the batch, across batches, and against the whole index
        missing = {key: text for key, text in zip(keys, texts) if key not in reuse}
        if missing and w.manifest:
            reuse.update(w.stored(list(missing)))
            missing = {key: text for key, text in missing.items() if key not in reuse}
        vectors = embedder.passages(list(missing.values())) if missing else []
        reuse.update(zip(missing, vectors))
        report.embedded += len(missing)
        report.reused += len(part) - len(missing)
        items = []
        for (d, c), text, key in zip(part, texts, keys):
            p = c.paragraph
            meta = {"source": p.source, "sha": d.sha256, "ehash": key, "paragraph": p.number,
                    "section": p.section or "", "pid": p.id, "text": p.text, "pstart": p.start, "pend": p.end,
                    "cstart": c.start, "cend": c.end,
                    # BM25 terms, stored so that opening the index never re-tokenizes the corpus
                    "tokens": " ".join(tokenizer.search_tokens(text))}
            if p.page is not None:
                meta["page"] = p.page
            items.append((store_mod.Record(f"{d.sha256[:12]}:{c.id}", c.text, meta), reuse[key]))
            done += c.end == len(p.text)
        w.add_chunks(items)
        if progress:
            progress(done, total)
    now = datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds")
    for d in docs:
        meta = {"source": d.source, "sha": d.sha256, "title": d.title or "", "byline": " / ".join(d.byline),
                "date": d.date or "", "format": d.format, "paragraphs": len(d.paragraphs),
                "indexed": now}
        w.add_document(store_mod.Record(f"{d.sha256[:12]}:{d.source}", d.text, meta))


def build_index(paths: list[Path], index_dir, embedder: Embedder, tokenizer: Tokenizer,
                progress: Progress | None = None) -> IngestReport:
    """A clean, complete build (``assistant ingest --rebuild``)."""
    return update_index(paths, index_dir, embedder, tokenizer, rebuild=True, progress=progress)


def ensure_index(config: Config, embedder: Embedder, tokenizer: Tokenizer, notify: Notify) -> store_mod.Store:
    """Open the index, first building or updating it when it is missing, unreadable or stale (with a notice)."""
    loc, paths = store_mod.location(config), [Path(config.data_dir)]
    opened = False
    try:
        store = store_mod.Store.open(loc)
    except IndexStoreError as e:
        if loc.url and "does not answer" in str(e):
            raise
        missing = not loc.url and not (loc.path / store_mod.MARKER).exists()
        reason = "索引不存在" if missing else f"索引无法读取（{e}）"
        notify(f"{reason}，正在从 {config.data_dir} 构建索引…")
    else:
        reason = why_rebuild(store, embedder, tokenizer, source_hashes(paths))
        if reason is None:
            return store
        whole = whole_rebuild_reason(store.manifest, embedder, tokenizer)
        notify(f"索引已过期（{reason}），正在{'重建' if whole else '更新'}…")
        store.close()
        opened = True
    try:
        report = update_index(paths, loc, embedder, tokenizer)
    except IngestLockedError as e:
        if not opened:
            raise
        notify(f"{e}；先使用现有索引")
        return store_mod.Store.open(loc)
    for msg in report.skipped:
        notify(f"跳过：{msg}")
    notify(report.summary())
    return store_mod.Store.open(loc)
