"""Writing an index (the other half of the one Chroma module, store.py): an ingest's collections, published in one
step, so a killed ingest leaves the previous index answering (store.py says how, for directories and servers)."""
from __future__ import annotations

import json
import os
import secrets
import shutil
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from assistant.errors import IndexStoreError
from assistant.index.store import (
    CHUNKS,
    DOCUMENTS,
    MARKER,
    STORE_VERSION,
    Location,
    Record,
    _as_location,
    _forget_clients,
    _get_all,
    _http_client,
    _is_connection_error,
    _live,
    _local_client,
    _names,
    _open_collections,
    _pointer,
    _server_error,
    _swapped_out,
)


class Writer:
    """Collections being written by one ingest. Nothing here is visible to readers until ``publish``."""

    def __init__(self, loc: Location, client, chunks, docs, dim: int, manifest: dict[str, Any]):
        self.location, self._client, self._chunks, self._docs = loc, client, chunks, docs
        self.dim, self.manifest = dim, manifest  # the manifest readers see now (empty for a fresh build)
        self.batch = max(1, min(client.get_max_batch_size(), 2000))
        self.bm25_dir: Path = loc.bm25_dir
        self._pending: tuple[list, list] = ([], [])  # (chunks, documents) not yet sent to Chroma

    def vectors(self, source: str) -> dict[str, np.ndarray]:
        """Embeddings already stored for SOURCE (published or left by a killed ingest), by embedded-text hash."""
        got = _get_all(self._chunks, ["metadatas", "embeddings"], where={"source": source})
        return {m["ehash"]: np.asarray(v, dtype=np.float32)
                for m, v in zip(got["metadatas"], got["embeddings"]) if m.get("ehash")}

    def stored(self, keys: list[str]) -> dict[str, np.ndarray]:
        """Embeddings already in the index for any of these embedded-text hashes, whichever file holds them."""
        if not keys:
            return {}
        got = _get_all(self._chunks, ["metadatas", "embeddings"], where={"ehash": {"$in": list(keys)}})
        return {m["ehash"]: np.asarray(v, dtype=np.float32) for m, v in zip(got["metadatas"], got["embeddings"])}

    def add_chunks(self, items: list[tuple[Record, np.ndarray]]) -> None:
        """Buffered: each add call costs ~0.3 s of commit here whatever its size, so records go in big batches."""
        self._pending[0].extend(items)
        if len(self._pending[0]) >= self.batch:
            self.flush()

    def add_document(self, record: Record) -> None:
        # documents are looked up, never searched: a constant unit vector will do
        self._pending[1].append((record, np.array([1.0] + [0.0] * (self.dim - 1), dtype=np.float32)))

    def flush(self) -> None:
        for col, items in zip((self._chunks, self._docs), self._pending):
            for i in range(0, len(items), self.batch):
                part = items[i:i + self.batch]
                self._add(col, [r for r, _ in part], np.vstack([v for _, v in part]))
            items.clear()

    @staticmethod
    def _add(col, records: list[Record], vectors: np.ndarray) -> None:
        # add, not upsert (upsert is ~5x slower here); an id left by a killed server-mode update is removed first
        ids = [r.id for r in records]
        left = col.get(ids=ids, include=[])["ids"]
        if left:
            col.delete(ids=left)
        col.add(ids=ids, documents=[r.text for r in records], metadatas=[r.metadata for r in records],
                embeddings=vectors)

    def publish(self, manifest: dict[str, Any]) -> list[Record]:
        """Switch the manifest (the atomic step), then delete what it no longer names. Returns the live chunks."""
        self.flush()
        manifest = {**manifest, "store": STORE_VERSION, "generation": secrets.token_hex(6)}
        self._chunks.modify(metadata={"manifest": json.dumps(manifest, ensure_ascii=False)})
        self.manifest = manifest
        live: list[Record] = []
        for col, keep in ((self._docs, None), (self._chunks, live)):
            got = _get_all(col, ["metadatas"])  # not the texts: a chunk's text is in its metadata (memory at 100k)
            stale = [i for i, m in zip(got["ids"], got["metadatas"]) if not _live(manifest, m)]
            for k in range(0, len(stale), self.batch):
                col.delete(ids=stale[k:k + self.batch])
            if keep is not None:
                keep.extend(Record(i, m["text"][m["cstart"]:m["cend"]], m)
                            for i, m in zip(got["ids"], got["metadatas"]) if _live(manifest, m))
        return live


@contextmanager
def update(where: "Location | Path | str", dim: int, fresh: bool) -> Iterator[Writer]:
    """A Writer for a full build (FRESH) or an update of the current index; made visible when the block ends
    without an exception, discarded otherwise."""
    loc = _as_location(where)
    if loc.url:
        with _update_server(loc, dim, fresh) as w:
            yield w
        return
    path = loc.path
    if path.exists() and any(path.iterdir()) and not (path / MARKER).is_file():
        raise IndexStoreError(f"{path} exists and is not an index this assistant built; "
                              f"set index_dir to an empty or new folder")
    path.parent.mkdir(parents=True, exist_ok=True)
    moved = _swapped_out(path)
    if moved is not None and not path.exists():
        moved.rename(path)  # a killed ingest's swap, undone (we hold the lock)
    tmp = path.with_name(f".{path.name}.building-{os.getpid()}-{int(time.time())}")
    try:
        if not fresh:
            shutil.copytree(path, tmp, ignore=shutil.ignore_patterns("bm25"))
        client = _local_client(tmp)
        if fresh:
            chunks, docs, manifest = client.create_collection(CHUNKS), client.create_collection(DOCUMENTS), {}
        else:
            chunks, docs = client.get_collection(CHUNKS), client.get_collection(DOCUMENTS)
            manifest = json.loads((chunks.metadata or {}).get("manifest") or "{}")
        w = Writer(Location(tmp), client, chunks, docs, dim, manifest)
        yield w
        (tmp / MARKER).write_text(json.dumps(w.manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        del chunks, docs, client, w
        _forget_clients()
        old = path.with_name(f".{path.name}.old-{os.getpid()}-{int(time.time())}")
        if path.exists():
            path.rename(old)
        tmp.rename(path)
        shutil.rmtree(old, ignore_errors=True)
    except OSError as e:
        raise IndexStoreError(f"cannot write the index at {path}: {e.strerror or e}") from None
    except Exception as e:
        if not _is_storage_error(e):
            raise
        hint = "disk full? free some space and run the ingest again; " if "full" in str(e).lower() else ""
        raise IndexStoreError(f"cannot write the index at {path}: {hint}"
                              f"the previous index is unchanged ({type(e).__name__}: {e})") from None
    finally:
        if tmp.exists():
            _forget_clients()
            shutil.rmtree(tmp, ignore_errors=True)
        for left in path.parent.glob(f".{path.name}.building-*"):  # left by a killed ingest (we hold the lock)
            shutil.rmtree(left, ignore_errors=True)


def _is_storage_error(e: Exception) -> bool:
    """Chroma or its sqlite failing to write (disk full, read-only, I/O error), not a bug of ours."""
    import sqlite3

    return isinstance(e, sqlite3.Error) or type(e).__module__.startswith("chromadb")


@contextmanager
def _update_server(loc: Location, dim: int, fresh: bool) -> Iterator[Writer]:
    client = _http_client(loc)
    try:
        pointer = _pointer(client, loc)
        current = (pointer.metadata or {}).get("generation")
        if fresh or not current:
            gen = secrets.token_hex(4)
            a, b = _names(loc, gen)
            w = Writer(loc, client, client.create_collection(a), client.create_collection(b), dim, {})
            try:
                yield w
            except BaseException:
                for name in (a, b):
                    _drop(client, name)
                raise
            pointer.modify(metadata={"generation": gen})
        else:
            chunks, docs = _open_collections(client, loc)
            w = Writer(loc, client, chunks, docs, dim, json.loads((chunks.metadata or {}).get("manifest") or "{}"))
            yield w
            gen = current
        keep = set(_names(loc, gen)) | {f"{loc.prefix}-current"}
        for col in client.list_collections():  # earlier generations, and builds a killed ingest left behind
            name = col if isinstance(col, str) else col.name
            if name.startswith(f"{loc.prefix}-") and name.endswith((f"-{CHUNKS}", f"-{DOCUMENTS}")) \
                    and name not in keep:
                _drop(client, name)
    except (IndexStoreError, KeyboardInterrupt):
        raise
    except Exception as e:
        if _is_connection_error(e):
            raise _server_error(loc, e) from None
        raise


def _drop(client, name: str) -> None:
    try:
        client.delete_collection(name)
    except Exception:
        pass  # already gone, or the server went away: the next build cleans up


def discard(where: "Location | Path | str") -> None:
    """Remove an index directory we built (e.g. one that no longer opens). Never touches other folders."""
    loc = _as_location(where)
    if not loc.url and (loc.path / MARKER).is_file():
        _forget_clients()
        shutil.rmtree(loc.path, ignore_errors=True)
