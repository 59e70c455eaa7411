"""Ingestion: report files -> cleaned documents -> paragraph chunks -> embeddings -> a new index.

Also decides when an index must be (re)built: missing, unreadable, built from other files, or built by another
embedder or chunking version. Such an index is rebuilt whole, never mixed with new records.
"""
from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from . import store as store_mod
from .config import Config
from .document import CHUNKING_VERSION, Document, build_document, chunk_paragraph
from .embedder import Embedder
from .errors import IndexStoreError, ReadError
from .reader import find_files, read_file
from .tokens import Tokenizer

Notify = Callable[[str], None]
Progress = Callable[[int, int], None]


@dataclass
class IngestReport:
    files: int = 0
    paragraphs: int = 0
    chunks: int = 0
    seconds: float = 0.0
    skipped: list[str] = field(default_factory=list)  # one message per unreadable file

    def summary(self) -> str:
        s = f"已索引 {self.files} 个文件、{self.paragraphs} 个段落（{self.chunks} 个向量块），用时 {self.seconds:.1f} 秒"
        return s + (f"；跳过 {len(self.skipped)} 个文件" if self.skipped else "")


def _source_name(path: Path, roots: list[Path]) -> str:
    for root in roots:
        if root.is_dir():
            try:
                return path.resolve().relative_to(root.resolve()).as_posix()
            except ValueError:
                continue
    return path.name


def source_hashes(paths: list[Path]) -> dict[str, str]:
    """What the index should have been built from: source name -> sha256 of the file's bytes."""
    out = {}
    for f in find_files(paths):
        try:
            out[_source_name(f, paths)] = hashlib.sha256(f.read_bytes()).hexdigest()
        except OSError:
            continue  # unreadable now: ingestion will report it
    return out


def manifest_for(embedder: Embedder, tokenizer: Tokenizer, sources: dict[str, str]) -> dict:
    return {"embedder": embedder.name, "dim": embedder.dim, "chunking": CHUNKING_VERSION,
            "tokenizer": tokenizer.fingerprint, "sources": sources}


def read_documents(paths: list[Path], report: IngestReport) -> list[Document]:
    docs = []
    for f in find_files(paths):
        try:
            raw = read_file(f)
        except ReadError as e:
            report.skipped.append(str(e))
            continue
        raw = type(raw)(raw.path, _source_name(f, paths), raw.text, raw.encoding, raw.sha256)
        doc = build_document(raw)
        if not doc.paragraphs:
            report.skipped.append(f"{raw.name}: no paragraphs of text found")
            continue
        docs.append(doc)
    return docs


def build_index(paths: list[Path], index_dir: Path, embedder: Embedder, tokenizer: Tokenizer,
                progress: Progress | None = None) -> IngestReport:
    t0 = time.perf_counter()
    report = IngestReport()
    docs = read_documents(paths, report)
    if not docs:
        detail = "; ".join(report.skipped) or "no .txt or .md files"
        raise ReadError(f"nothing to index in {', '.join(map(str, paths))} ({detail})")
    chunks = [c for d in docs for p in d.paragraphs for c in chunk_paragraph(p, embedder.count_tokens)]
    report.files, report.chunks = len(docs), len(chunks)
    report.paragraphs = sum(len(d.paragraphs) for d in docs)
    tokenizer.thaw()  # bulk tokenization: load jieba's real dictionary once

    def embedded():
        batch = 32
        for i in range(0, len(chunks), batch):
            part = chunks[i:i + batch]
            texts = [c.indexed_text() for c in part]
            vectors = embedder.passages(texts)
            for c, text, v in zip(part, texts, vectors):
                p = c.paragraph
                meta = {"source": p.source, "paragraph": p.number, "section": p.section or "", "pid": p.id,
                        "text": p.text, "pstart": p.start, "pend": p.end, "cstart": c.start, "cend": c.end,
                        # BM25 terms, stored so that opening the index never re-tokenizes the corpus
                        "tokens": " ".join(tokenizer.search_tokens(text))}
                yield store_mod.Record(c.id, c.text, meta), v
            if progress:
                progress(min(i + batch, len(chunks)), len(chunks))

    documents = [store_mod.Record(d.source, d.text, {"title": d.title or "", "byline": " / ".join(d.byline),
                                                      "sha256": d.sha256, "paragraphs": len(d.paragraphs)})
                 for d in docs]
    manifest = manifest_for(embedder, tokenizer, {d.source: d.sha256 for d in docs})
    store_mod.write_index(index_dir, manifest, embedded(), documents)
    report.seconds = time.perf_counter() - t0
    return report


def why_rebuild(store: store_mod.Store, embedder: Embedder, tokenizer: Tokenizer,
                sources: dict[str, str]) -> str | None:
    """A reason the index no longer matches what it should be built from, or None when it is current."""
    m = store.manifest
    if m.get("embedder") != embedder.name or m.get("dim") != embedder.dim:
        return f"它由另一个嵌入模型构建（{m.get('embedder')}/{m.get('dim')}）"
    if m.get("chunking") != CHUNKING_VERSION:
        return f"它的分段版本是 {m.get('chunking')}，当前为 {CHUNKING_VERSION}"
    if m.get("tokenizer") != tokenizer.fingerprint:
        return "分词词典有变化"
    indexed = m.get("sources", {})
    if indexed != sources:
        changed = sorted(k for k in set(indexed) | set(sources) if indexed.get(k) != sources.get(k))
        return "报告文件有变化：" + "、".join(changed[:3]) + ("等" if len(changed) > 3 else "")
    return None


def ensure_index(config: Config, embedder: Embedder, tokenizer: Tokenizer, notify: Notify) -> store_mod.Store:
    """Open the index, building it first when it is missing, unreadable or stale (with a one-line notice)."""
    index_dir, paths = Path(config.index_dir), [Path(config.data_dir)]
    try:
        store = store_mod.Store.open(index_dir)
    except IndexStoreError as e:
        reason = "索引不存在" if not (index_dir / store_mod.MARKER).exists() else f"索引无法读取（{e}）"
        notify(f"{reason}，正在从 {config.data_dir} 构建索引…")
        store_mod.discard(index_dir)
    else:
        reason = why_rebuild(store, embedder, tokenizer, source_hashes(paths))
        if reason is None:
            return store
        notify(f"索引已过期（{reason}），正在重建…")
        store.close()
    report = build_index(paths, index_dir, embedder, tokenizer)
    for msg in report.skipped:
        notify(f"跳过：{msg}")
    notify(report.summary())
    return store_mod.Store.open(index_dir)
