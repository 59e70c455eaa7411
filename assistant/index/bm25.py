"""The BM25 side of an index, persisted with it: the bm25s matrices plus the chunk table retrieval needs.

Ingest writes it once per published index (from the jieba tokens stored with each chunk, so nothing is
re-tokenized); a Retriever loads it in a fraction of the time that reading every record back from Chroma and
re-indexing would take at 100k paragraphs. It is keyed by the manifest's ``generation``: a table that does not match
the index it sits beside is ignored and rebuilt from the stored tokens.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any, Iterable

import numpy as np

VERSION = 1
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


def index(tokens: list[list[str]], b: float):
    import bm25s

    model = bm25s.BM25(b=b)
    model.index(tokens or [["\x00"]], show_progress=False)
    return model


def doc_freq(model) -> dict[str, int]:
    """How many chunks contain each token: the number of stored scores in its column."""
    counts = np.diff(model.scores["indptr"])
    return {t: int(counts[i]) for t, i in model.vocab_dict.items() if i < len(counts)}


def save(directory: Path, generation: str, table: list[dict[str, Any]], model) -> None:
    """Write beside the index; a half-written table is never read (written to a temporary name, then renamed)."""
    directory = Path(directory)
    tmp = directory.with_name(f"{directory.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    model.save(str(tmp / "bm25"), show_progress=False)
    with open(tmp / "rows.json", "w", encoding="utf-8") as f:
        json.dump(table, f, ensure_ascii=False, separators=(",", ":"))
    (tmp / "meta.json").write_text(json.dumps({"version": VERSION, "generation": generation, "rows": len(table)}))
    old = directory.with_name(f"{directory.name}.old-{os.getpid()}")
    if directory.exists():
        directory.rename(old)
    tmp.rename(directory)
    shutil.rmtree(old, ignore_errors=True)


def load(directory: Path, generation: str):
    """(model, rows) when DIRECTORY holds the table of this generation, else None."""
    directory = Path(directory)
    try:
        meta = json.loads((directory / "meta.json").read_text())
        if meta.get("version") != VERSION or meta.get("generation") != generation or not generation:
            return None
        import bm25s

        model = bm25s.BM25.load(str(directory / "bm25"), mmap=False, show_progress=False)
        table = json.loads((directory / "rows.json").read_text(encoding="utf-8"))
        if len(table) != meta.get("rows"):
            return None
        return model, table
    except (OSError, ValueError, KeyError):
        return None
