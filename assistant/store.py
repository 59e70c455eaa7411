"""The one module that talks to Chroma.

An index is a directory holding a Chroma database with two collections: ``paragraphs`` (one record per embedded
chunk, with its paragraph's metadata) and ``documents`` (one record per source: cleaned text, title, byline).
What built the index (embedder, dimension, chunking version, source hashes) is the ``paragraphs`` collection's
metadata. A build writes a new directory beside the old one and swaps it in, so a failed or killed build leaves
the previous index answering.
"""
from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from .errors import IndexStoreError

MARKER = ".assistant-index"  # written into every index directory we own; we never delete a folder without it
CHUNKS, DOCUMENTS = "paragraphs", "documents"


@dataclass
class Record:
    id: str
    text: str
    metadata: dict[str, Any]


def _client(path: Path):
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    import chromadb
    from chromadb.config import Settings

    return chromadb.PersistentClient(path=str(path), settings=Settings(anonymized_telemetry=False))


def _forget_clients() -> None:
    """Chroma caches one system per path; drop them so a swapped directory is opened afresh."""
    from chromadb.api.client import SharedSystemClient

    SharedSystemClient.clear_system_cache()


class Store:
    """A read view of one built index directory."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._client = _client(self.path)
        try:
            self._chunks = self._client.get_collection(CHUNKS)
            self._docs = self._client.get_collection(DOCUMENTS)
        except Exception as e:  # chroma raises several types for a missing collection
            raise IndexStoreError(f"{self.path}: no built index here ({e})") from None
        self._count = self._chunks.count()
        raw = (self._chunks.metadata or {}).get("manifest")
        self.manifest: dict[str, Any] = json.loads(raw) if raw else {}

    @classmethod
    def open(cls, path: Path) -> "Store":
        """Open an index; IndexStoreError when it is missing, unreadable or not ours."""
        path = Path(path)
        if not (path / MARKER).is_file():
            raise IndexStoreError(f"{path}: no built index here")
        try:
            return cls(path)
        except IndexStoreError:
            raise
        except Exception as e:  # a truncated or foreign sqlite file, a broken segment
            raise IndexStoreError(f"{path}: the index cannot be read ({type(e).__name__}: {e})") from None

    def chunks(self) -> list[Record]:
        got = self._chunks.get(include=["documents", "metadatas"])
        return [Record(i, t, m) for i, t, m in zip(got["ids"], got["documents"], got["metadatas"])]

    def documents(self) -> list[Record]:
        got = self._docs.get(include=["documents", "metadatas"])
        return [Record(i, t, m) for i, t, m in zip(got["ids"], got["documents"], got["metadatas"])]

    def query(self, embedding: np.ndarray, n: int) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity), best first. Embeddings are unit length, so cos = 1 - d²/2."""
        n = min(n, self._count)
        if n <= 0:
            return []
        res = self._chunks.query(query_embeddings=[embedding.tolist()], n_results=n, include=["distances"])
        return [(i, 1.0 - d / 2.0) for i, d in zip(res["ids"][0], res["distances"][0])]

    def close(self) -> None:
        self._client = self._chunks = self._docs = None
        _forget_clients()


def write_index(path: Path, manifest: dict[str, Any], chunks: Iterable[tuple[Record, np.ndarray]],
                documents: list[Record]) -> None:
    """Build a complete index in a new directory, then swap it in place of PATH."""
    path = Path(path)
    if path.exists() and any(path.iterdir()) and not (path / MARKER).is_file():
        raise IndexStoreError(f"{path} exists and is not an index this assistant built; "
                              f"set index_dir to an empty or new folder")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.building-{os.getpid()}-{int(time.time())}")
    try:
        client = _client(tmp)
        col = client.create_collection(CHUNKS, metadata={"manifest": json.dumps(manifest, ensure_ascii=False)})
        batch = max(1, min(client.get_max_batch_size(), 2000))
        pending: list[tuple[Record, np.ndarray]] = []
        for item in chunks:
            pending.append(item)
            if len(pending) >= batch:
                _add(col, pending)
                pending = []
        if pending:
            _add(col, pending)
        docs = client.create_collection(DOCUMENTS)
        if documents:
            docs.add(ids=[d.id for d in documents], documents=[d.text for d in documents],
                     metadatas=[d.metadata for d in documents],
                     # documents are looked up by id, never searched: a constant unit vector will do
                     embeddings=[[1.0] + [0.0] * (int(manifest["dim"]) - 1) for _ in documents])
        (tmp / MARKER).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        del col, docs, client
        _forget_clients()
        old = path.with_name(f".{path.name}.old-{os.getpid()}-{int(time.time())}")
        if path.exists():
            path.rename(old)
        tmp.rename(path)
        shutil.rmtree(old, ignore_errors=True)
    except OSError as e:
        raise IndexStoreError(f"cannot write the index at {path}: {e.strerror or e}") from None
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def _add(col, items: list[tuple[Record, np.ndarray]]) -> None:
    col.add(ids=[r.id for r, _ in items], documents=[r.text for r, _ in items],
            metadatas=[r.metadata for r, _ in items], embeddings=np.vstack([v for _, v in items]))


def discard(path: Path) -> None:
    """Remove an index directory we built (e.g. one that no longer opens). Never touches other folders."""
    path = Path(path)
    if (path / MARKER).is_file():
        _forget_clients()
        shutil.rmtree(path, ignore_errors=True)
