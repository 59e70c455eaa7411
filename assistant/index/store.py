"""The one module that talks to Chroma, embedded (a directory) or a Chroma server (``chroma_url``).

An index is two collections: ``paragraphs`` (one record per embedded chunk, with its paragraph's metadata) and
``documents`` (one record per source: cleaned text, title, date). What built the index (embedder, dimension,
chunking version, tokenizer, and each source's sha256) is the manifest in the ``paragraphs`` collection's
metadata. Records carry their file's sha256, and readers see only records whose (source, sha256) the manifest
names, so switching the manifest is the one atomic step that publishes a change.

Writing never touches what readers use until it is complete:
- embedded: a full build writes a new directory; an update writes a copy of the directory. Either is swapped in
  by renaming, so a killed ingest leaves the previous directory as it was.
- server: a full build writes new collections (``PREFIX-GEN-paragraphs``) and then moves the pointer collection
  (``PREFIX-current``) to them. An update adds the new records first, then switches the manifest, then deletes
  the records it replaced; a killed update leaves unpublished records that the next update deletes or reuses.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

from assistant.errors import IndexStoreError

MARKER = ".assistant-index"  # written into every index directory we own; we never delete a folder without it
CHUNKS, DOCUMENTS = "paragraphs", "documents"
STORE_VERSION = 2  # records carry "sha"; ids are "<sha12>:<chunk id>"


@dataclass
class Record:
    id: str
    text: str
    metadata: dict[str, Any]


@dataclass(frozen=True)
class Location:
    """Where an index lives. ``path`` is the directory (embedded) or, in server mode, where the lock and the
    BM25 cache are kept; ``url`` selects server mode; ``prefix`` names the server's collections."""
    path: Path
    url: str = ""
    prefix: str = "assistant"
    timeout: float = 30.0

    def __str__(self) -> str:
        return f"{self.url} ({self.prefix})" if self.url else str(self.path)

    @property
    def bm25_dir(self) -> Path:
        return self.path / "bm25" if not self.url else self.path / f"bm25-{self.prefix}"


def location(config) -> Location:
    return Location(Path(config.index_dir), getattr(config, "chroma_url", ""),
                    getattr(config, "chroma_collection", "assistant") or "assistant",
                    float(getattr(config, "chroma_timeout", 30.0)))


def _as_location(where: "Location | Path | str") -> Location:
    return where if isinstance(where, Location) else Location(Path(where))


def _local_client(path: Path):
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    import chromadb
    from chromadb.config import Settings

    return chromadb.PersistentClient(path=str(path), settings=Settings(anonymized_telemetry=False))


def _http_client(loc: Location):
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    import chromadb
    import httpx
    from chromadb.config import Settings

    u = urlparse(loc.url)
    if u.scheme not in ("http", "https") or not u.hostname:
        raise IndexStoreError(f"chroma_url must look like http://host:8000, got {loc.url!r}")
    try:
        client = chromadb.HttpClient(host=u.hostname, port=u.port or (443 if u.scheme == "https" else 8000),
                                     ssl=u.scheme == "https", settings=Settings(anonymized_telemetry=False))
        # chromadb's HTTP session has no timeout: a server that stops answering would hang every question
        session = getattr(getattr(client, "_server", None), "_session", None)
        if session is not None:
            session.timeout = httpx.Timeout(loc.timeout, connect=min(5.0, loc.timeout))
        client.heartbeat()
    except IndexStoreError:
        raise
    except Exception as e:
        raise _server_error(loc, e) from None
    return client


def _server_error(loc: Location, e: Exception) -> IndexStoreError:
    return IndexStoreError(f"the Chroma server at {loc.url} does not answer ({type(e).__name__}: {e}); "
                           f"start it with: chroma run --path DIR --host HOST --port PORT")


def _forget_clients() -> None:
    """Chroma caches one system per path; drop them so a swapped directory is opened afresh."""
    from chromadb.api.client import SharedSystemClient

    SharedSystemClient.clear_system_cache()


def _names(loc: Location, gen: str) -> tuple[str, str]:
    return f"{loc.prefix}-{gen}-{CHUNKS}", f"{loc.prefix}-{gen}-{DOCUMENTS}"


def _pointer(client, loc: Location):
    return client.get_or_create_collection(f"{loc.prefix}-current")


def _open_collections(client, loc: Location):
    if not loc.url:
        return client.get_collection(CHUNKS), client.get_collection(DOCUMENTS)
    gen = (_pointer(client, loc).metadata or {}).get("generation")
    if not gen:
        raise IndexStoreError(f"{loc}: no built index on this server")
    a, b = _names(loc, gen)
    return client.get_collection(a), client.get_collection(b)


PAGE = 5000  # Chroma's embedded sqlite refuses one get() of ~100k records ("too many SQL variables")


def _get_all(col, include: list[str], where: dict | None = None) -> dict[str, list]:
    """col.get(...) for every matching record, read a page at a time."""
    out: dict[str, list] = {"ids": [], **{k: [] for k in include}}
    offset = 0
    while True:
        got = col.get(include=include, where=where, limit=PAGE, offset=offset)
        for k in out:
            out[k].extend(got[k] if got[k] is not None else [])
        if len(got["ids"]) < PAGE:
            return out
        offset += PAGE


def _generation_in(manifest_json: str | None) -> str | None:
    """The generation a manifest (as JSON text) names; None when there is none or the text is not a manifest."""
    try:
        manifest = json.loads(manifest_json) if manifest_json else None
    except ValueError:
        return None
    if not isinstance(manifest, dict) or not manifest.get("generation"):
        return None
    return str(manifest["generation"])


def _live(manifest: dict[str, Any], meta: dict[str, Any]) -> bool:
    return manifest.get("sources", {}).get(meta.get("source")) == meta.get("sha")


class Store:
    """A read view of one built index."""

    def __init__(self, loc: Location, client, chunks, docs):
        self.location, self._client, self._chunks, self._docs = loc, client, chunks, docs
        self.path = loc.path
        self._count = self._chunks.count()
        raw = (self._chunks.metadata or {}).get("manifest")
        self.manifest: dict[str, Any] = json.loads(raw) if raw else {}
        self._marker_seen: tuple[Any, str | None] = (None, None)

    @classmethod
    def open(cls, where: "Location | Path | str", fresh: bool = False) -> "Store":
        """Open an index; IndexStoreError when it is missing, unreadable, not ours, or its server is away.
        FRESH: don't reuse this process's Chroma system for the directory (another process swapped it)."""
        loc = _as_location(where)
        if fresh and not loc.url:
            _forget_clients()
        if not loc.url and not (loc.path / MARKER).is_file():
            moved = _swapped_out(loc.path)
            if moved is None:
                raise IndexStoreError(f"{loc.path}: no built index here")
            loc = Location(moved)  # an ingest was killed between its two renames: the previous index is here
        client = _http_client(loc) if loc.url else None
        try:
            client = client or _local_client(loc.path)
            return cls(loc, client, *_open_collections(client, loc))
        except IndexStoreError:
            raise
        except Exception as e:  # a truncated or foreign sqlite file, a broken segment, a missing collection
            if loc.url and _is_connection_error(e):
                raise _server_error(loc, e) from None
            raise IndexStoreError(f"{loc}: the index cannot be read ({type(e).__name__}: {e})") from None

    def _call(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Exception as e:
            if self.location.url:
                raise _server_error(self.location, e) from None
            raise IndexStoreError(f"{self.location}: the index cannot be read ({type(e).__name__}: {e})") from None

    @property
    def size(self) -> int:
        """Chunk records stored (a killed server-mode update may have left a few unpublished ones)."""
        return self._count

    @property
    def generation(self) -> str:
        return str(self.manifest.get("generation", ""))

    def published_generation(self) -> str | None:
        """The generation an ``open`` would see now (another process may have ingested since this view was
        opened); None when it cannot be told (no index there, an unreadable marker, the server away)."""
        if not self.location.url:
            marker = self.location.path / MARKER
            try:
                st = marker.stat()
                key = (st.st_ino, st.st_mtime_ns, st.st_size)
                if key != self._marker_seen[0]:  # a swap writes a new marker: read it only then
                    self._marker_seen = (key, _generation_in(marker.read_text(encoding="utf-8")))
                return self._marker_seen[1]
            except OSError:
                return None
        try:
            gen = (_pointer(self._client, self.location).metadata or {}).get("generation")
            chunks = self._client.get_collection(_names(self.location, gen)[0]) if gen else None
            return _generation_in((chunks.metadata or {}).get("manifest") if chunks is not None else None)
        except Exception:
            return None

    def chunks(self) -> list[Record]:
        got = self._call(_get_all, self._chunks, ["documents", "metadatas"])
        return [Record(i, t, m) for i, t, m in zip(got["ids"], got["documents"], got["metadatas"])
                if _live(self.manifest, m)]

    def documents(self) -> list[Record]:
        got = self._call(_get_all, self._docs, ["documents", "metadatas"])
        return [Record(m["source"], t, m) for t, m in zip(got["documents"], got["metadatas"])
                if _live(self.manifest, m)]

    def sources(self) -> list[dict[str, Any]]:
        """Each indexed file's metadata (source, title, date, format, paragraphs, sha, indexed), without its text."""
        got = self._call(_get_all, self._docs, ["metadatas"])
        return sorted((m for m in got["metadatas"] if _live(self.manifest, m)), key=lambda m: m["source"])

    def query(self, embedding: np.ndarray, n: int, sources: list[str] | None = None) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity), best first; only chunks of SOURCES when given. Embeddings are unit
        length, so cos = 1 - d²/2."""
        n = min(n, self._count)
        if n <= 0:
            return []
        where = {"source": {"$in": list(sources)}} if sources else None
        res = self._call(self._chunks.query, query_embeddings=[embedding.tolist()], n_results=n,
                         include=["distances"], where=where)
        return [(i, 1.0 - d / 2.0) for i, d in zip(res["ids"][0], res["distances"][0])]

    def vectors(self, sources: list[str]) -> tuple[list[str], np.ndarray]:
        """The chunk ids of SOURCES and their embeddings (one row each), for searching a few reports exactly."""
        got = self._call(self._chunks.get, where={"source": {"$in": list(sources)}}, include=["embeddings"])
        ids = list(got["ids"])
        vecs = np.asarray(got["embeddings"], dtype=np.float32) if ids else np.zeros((0, 0), dtype=np.float32)
        return ids, vecs

    def close(self) -> None:
        self._client = self._chunks = self._docs = None
        if not self.location.url:
            _forget_clients()


def _is_connection_error(e: Exception) -> bool:
    return type(e).__module__.startswith(("httpx", "httpcore")) or isinstance(e, (ConnectionError, TimeoutError))


def _swapped_out(path: Path) -> Path | None:
    """The previous index, when a swap was interrupted after moving it aside and before moving the new one in."""
    if path.exists():
        return None
    old = sorted(p for p in path.parent.glob(f".{path.name}.old-*") if (p / MARKER).is_file())
    return old[-1] if old else None
