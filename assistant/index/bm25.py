"""The BM25 side of an index, persisted with it: term-frequency postings plus the chunk table retrieval needs.

Ingest writes it once per published index (from the jieba tokens stored with each chunk, so nothing is
re-tokenized); a Retriever loads it in a fraction of the time that reading every record back from Chroma and
re-indexing would take at 100k paragraphs. It is keyed by the manifest's ``generation``: a table that does not match
the index it sits beside is ignored and rebuilt from the stored tokens.
"""
from __future__ import annotations

import json
import math
import os
import shutil
import sys
from pathlib import Path
from typing import Any, Iterable

import numpy as np

VERSION = 2  # 2: own postings (per-scope statistics) instead of bm25s's precomputed scores
FIELDS = ("id", "pid", "source", "paragraph", "section", "text", "pstart", "pend", "page")


def rows(records: Iterable[Any]) -> tuple[list[dict[str, Any]], list[list[str]]]:
    """Chunk rows in retrieval order (source, paragraph, chunk start) and their BM25 tokens."""
    out, tokens = [], []
    for r in sorted(records, key=lambda r: (r.metadata["source"], r.metadata["paragraph"], r.metadata["cstart"])):
        m = r.metadata
        out.append({"id": r.id, "pid": m["pid"], "source": m["source"], "paragraph": m["paragraph"],
                    "section": m.get("section") or "", "text": m["text"], "pstart": m["pstart"], "pend": m["pend"],
                    "page": m.get("page") or None})
        # interned: 100k chunks hold ~10M tokens but only ~50k distinct words (600 MB of strings otherwise)
        tokens.append([sys.intern(t) for t in m["tokens"].split()] or ["\x00"])
    return out, tokens


K1 = 1.5  # Lucene's BM25 (what bm25s computed before: its default k1, idf log(1 + (N - df + 0.5) / (df + 0.5)))


class Postings:
    """Term frequencies by word (CSC: each word's chunks and counts) and each chunk's length.

    Scores are computed per question from these counts, not stored, so that the word statistics behind them (how
    many chunks hold a word, how long chunks are on average) can come from the chunks a question is restricted to:
    a report scores the same alone and in an index shared with others."""

    def __init__(self, vocab: dict[str, int], indptr: np.ndarray, docs: np.ndarray, tf: np.ndarray,
                 lengths: np.ndarray, b: float):
        self.vocab, self.indptr, self.docs, self.tf, self.lengths, self.b = vocab, indptr, docs, tf, lengths, b

    @classmethod
    def build(cls, tokens: list[list[str]], b: float) -> "Postings":
        vocab: dict[str, int] = {}
        lengths = np.fromiter((len(d) for d in tokens), dtype=np.int64, count=len(tokens))
        ids = np.fromiter((vocab.setdefault(t, len(vocab)) for d in tokens for t in d), dtype=np.int64,
                          count=int(lengths.sum()))
        n = max(1, len(tokens))
        pairs, tf = np.unique(ids * n + np.repeat(np.arange(len(tokens), dtype=np.int64), lengths),
                              return_counts=True)  # sorted by word, then chunk
        del ids
        words = pairs // n
        indptr = np.searchsorted(words, np.arange(len(vocab) + 1)).astype(np.int64)
        return cls(vocab, indptr, (pairs % n).astype(np.int32), tf.astype(np.int32), lengths.astype(np.float32), b)

    def __len__(self) -> int:
        return len(self.lengths)

    def doc_freq(self, chunks: np.ndarray | None = None) -> np.ndarray:
        """Per word: how many chunks (of the boolean mask CHUNKS, or all) contain it."""
        if chunks is None:
            return np.diff(self.indptr)
        inside = np.concatenate([[0], np.cumsum(chunks[self.docs], dtype=np.int64)])
        return inside[self.indptr[1:]] - inside[self.indptr[:-1]]

    def scores(self, tokens: list[str], chunks: np.ndarray | None = None) -> np.ndarray:
        """Per chunk: the BM25 score of the query TOKENS (repeats count again), with N, document frequencies and
        the mean chunk length taken over the chunks in the boolean mask CHUNKS (all when None); 0 outside it."""
        out = np.zeros(len(self.lengths))
        lengths = self.lengths if chunks is None else self.lengths[chunks]
        if not len(lengths):
            return out
        n, mean = len(lengths), float(lengths.mean()) or 1.0
        for t in tokens:
            w = self.vocab.get(t)
            if w is None:
                continue
            docs, tf = self.docs[self.indptr[w]:self.indptr[w + 1]], self.tf[self.indptr[w]:self.indptr[w + 1]]
            if chunks is not None:
                keep = chunks[docs]
                docs, tf = docs[keep], tf[keep]
            if not len(docs):
                continue
            idf = math.log(1 + (n - len(docs) + 0.5) / (len(docs) + 0.5))
            out[docs] += idf * tf / (K1 * ((1 - self.b) + self.b * self.lengths[docs] / mean) + tf)
        return out


def save(directory: Path, generation: str, table: list[dict[str, Any]], postings: Postings) -> None:
    """Write beside the index; a half-written table is never read (written to a temporary name, then renamed)."""
    directory = Path(directory)
    tmp = directory.with_name(f"{directory.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    np.savez(tmp / "postings.npz", indptr=postings.indptr, docs=postings.docs, tf=postings.tf,
             lengths=postings.lengths)
    with open(tmp / "vocab.json", "w", encoding="utf-8") as f:
        json.dump(list(postings.vocab), f, ensure_ascii=False, separators=(",", ":"))
    with open(tmp / "rows.json", "w", encoding="utf-8") as f:
        json.dump(table, f, ensure_ascii=False, separators=(",", ":"))
    (tmp / "meta.json").write_text(json.dumps({"version": VERSION, "generation": generation, "rows": len(table),
                                               "b": postings.b}))
    old = directory.with_name(f"{directory.name}.old-{os.getpid()}")
    if directory.exists():
        directory.rename(old)
    tmp.rename(directory)
    shutil.rmtree(old, ignore_errors=True)


def load(directory: Path, generation: str, b: float):
    """(postings, rows) when DIRECTORY holds the table of this generation (built with length weight B), else None."""
    directory = Path(directory)
    try:
        meta = json.loads((directory / "meta.json").read_text())
        if meta.get("version") != VERSION or meta.get("generation") != generation or not generation \
                or meta.get("b") != b:
            return None
        with np.load(directory / "postings.npz") as z:
            arrays = {k: z[k] for k in ("indptr", "docs", "tf", "lengths")}
        words = json.loads((directory / "vocab.json").read_text(encoding="utf-8"))
        table = json.loads((directory / "rows.json").read_text(encoding="utf-8"))
        if len(table) != meta.get("rows") or len(arrays["lengths"]) != len(table) \
                or len(arrays["indptr"]) != len(words) + 1:
            return None
        vocab = {sys.intern(w): i for i, w in enumerate(words)}
        return Postings(vocab, arrays["indptr"], arrays["docs"], arrays["tf"], arrays["lengths"], b), table
    except (OSError, ValueError, KeyError):
        return None
