"""The Assistant: ties the index, retrieval, relevance and a backend into cited answers."""
from __future__ import annotations

import re
import sys
import time
from typing import Any, Callable, Iterator, Sequence

from . import backends as backends_mod
from .config import Config, load_config_from
from .contract import Answer, Passage
from .embedder import Embedder
from .errors import QuestionError
from .ingest import ensure_index
from .relevance import Assessment, assess
from .retrieve import Hit, Query, Retriever, contextualize
from .store import Store
from .tokens import Tokenizer, get_tokenizer

MAX_QUESTION_CHARS = 2000
MAX_HISTORY_TURNS = 20
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028\u2029\ufeff]")


def clean_question(question: Any) -> str:
    """A question as text, or QuestionError saying what is wrong with it."""
    if not isinstance(question, str):
        raise QuestionError("问题必须是文本（question must be a string）")
    q = _CONTROL.sub(" ", question)
    q = re.sub(r"\s+", " ", q).strip()
    if not q:
        raise QuestionError("问题是空的，请输入一个关于报告的问题")
    if len(q) > MAX_QUESTION_CHARS:
        raise QuestionError(f"问题太长（{len(q)} 字），请控制在 {MAX_QUESTION_CHARS} 字以内")
    if not re.search(r"[\w\u4e00-\u9fff]", q):
        raise QuestionError("问题里没有文字，请输入一个关于报告的问题")
    return q


def clean_history(history: Any) -> list[dict]:
    """OpenAI-style messages; unknown roles and empty turns are dropped, only recent turns are kept."""
    if history is None:
        return []
    if not isinstance(history, (list, tuple)):
        raise QuestionError("history 必须是消息列表：[{\"role\": \"user\", \"content\": \"…\"}, …]")
    out = []
    for m in history:
        if not isinstance(m, dict) or not isinstance(m.get("content"), str):
            raise QuestionError("history 中的每条消息都必须是 {\"role\": …, \"content\": 文本}")
        if m.get("role") in ("user", "assistant") and m["content"].strip():
            out.append({"role": m["role"], "content": _CONTROL.sub(" ", m["content"])[:MAX_QUESTION_CHARS]})
    return out[-MAX_HISTORY_TURNS:]


def _refusal(hits: list[Hit], assessment: Assessment) -> str:
    text = "报告中没有找到能回答这个问题的信息。"
    near = [h.paragraph for h in hits[:2]]
    if near and assessment.reason != "索引中没有段落":
        text += "可能相关的段落：" + "、".join(f"第{p.number}段" for p in near) + "。"
    return text


class Assistant:
    """Answers questions about the indexed reports, citing the paragraphs it quotes.

    >>> a = Assistant.from_config()
    >>> a.ask("巡视组从哪天开始进驻？").citations[0].paragraph
    2
    """

    def __init__(self, config: Config, *, store: Store, retriever: Retriever, backend: backends_mod.Backend,
                 tokenizer: Tokenizer, notices: Sequence[str] = ()):
        self.config, self.store, self.retriever, self.backend = config, store, retriever, backend
        self.tokenizer = tokenizer
        self.notices = list(notices)  # what happened while starting (index built or rebuilt)

    @classmethod
    def from_config(cls, config: Config | None = None, notify: Callable[[str], None] | None = None,
                    embedder: Embedder | None = None) -> "Assistant":
        """Build everything from settings: open (or build) the index, load the tokenizer and the backend."""
        config = config or load_config_from()
        notices: list[str] = []

        def tell(msg: str) -> None:
            notices.append(msg)
            (notify or (lambda m: print(m, file=sys.stderr, flush=True)))(msg)

        backend = backends_mod.create(config.backend, max_sentences=config.max_sentences)
        embedder = embedder or Embedder(config.embed_threads)
        tokenizer = get_tokenizer(tuple(config.user_dicts()))
        store = ensure_index(config, embedder, tokenizer, tell)
        retriever = Retriever(store, embedder, tokenizer)
        return cls(config, store=store, retriever=retriever, backend=backend, tokenizer=tokenizer, notices=notices)

    def documents(self) -> list[dict[str, Any]]:
        """The indexed reports: source, title, byline and cleaned text, with each paragraph's number, section
        and offsets into that text (``text[start:end]`` is the paragraph)."""
        paragraphs: dict[str, list[dict[str, Any]]] = {}
        for p in self.retriever.paragraphs:
            paragraphs.setdefault(p.source, []).append(
                {"paragraph": p.number, "section": p.section, "start": p.start, "end": p.end, "id": p.id})
        return [{"source": r.id, "title": r.metadata.get("title") or r.id, "byline": r.metadata.get("byline") or "",
                 "text": r.text, "paragraphs": paragraphs.get(r.id, [])} for r in self.store.documents()]

    def paragraph(self, source: str, number: int) -> Passage | None:
        """One paragraph by its source and number (what a citation points to), or None."""
        p = self.retriever.by_number(source, number)
        return Passage(p.source, p.number, p.section, p.text, 1.0) if p else None

    def _prepare(self, question: Any, history: Any, top_k: int | None) -> tuple[str, Query, list[Hit], Assessment]:
        q = clean_question(question)
        if top_k is not None and (not isinstance(top_k, int) or isinstance(top_k, bool) or not 1 <= top_k <= 50):
            raise QuestionError("top_k 必须是 1 到 50 之间的整数")
        query = contextualize(q, clean_history(history), self.tokenizer)
        hits = self.retriever.search(query, top_k or self.config.top_k)
        return q, query, hits, assess(query, hits, self.tokenizer, self.retriever)

    def ask(self, question: str, history: Sequence[dict] | None = None, top_k: int | None = None,
            id: Any = None) -> Answer:
        """Answer one question (with optional OpenAI-style history); never raises for a refusal."""
        t0 = time.perf_counter()
        q, query, hits, assessment = self._prepare(question, history, top_k)
        if assessment.answerable:
            draft = self.backend.answer(query, hits, assessment)
        else:
            draft = backends_mod.Draft(_refusal(hits, assessment), [], True)
        return self._finish(q, query, hits, draft, t0, id)

    def stream(self, question: str, history: Sequence[dict] | None = None, top_k: int | None = None,
               id: Any = None) -> Iterator[str | Answer]:
        """Yield pieces of answer text as they come, then the complete Answer."""
        t0 = time.perf_counter()
        q, query, hits, assessment = self._prepare(question, history, top_k)
        if not assessment.answerable:
            draft = backends_mod.Draft(_refusal(hits, assessment), [], True)
            yield draft.text
        else:
            draft = None
            for piece in self.backend.stream(query, hits, assessment):
                if isinstance(piece, str):
                    yield piece
                else:
                    draft = piece
        yield self._finish(q, query, hits, draft, t0, id)

    def _finish(self, q: str, query: Query, hits: list[Hit], draft: backends_mod.Draft, t0: float,
                id: Any) -> Answer:
        retrieved = [Passage(h.paragraph.source, h.paragraph.number, h.paragraph.section, h.paragraph.text,
                             round(h.score, 4)) for h in hits]
        if draft.refused and not draft.text:
            draft = backends_mod.Draft(_refusal(hits, Assessment(False, "", [])), [], True)
        return Answer(question=q, answer=draft.text, refused=draft.refused, citations=draft.citations,
                      retrieved=retrieved, backend=self.backend.name,
                      elapsed_ms=(time.perf_counter() - t0) * 1000, id=id,
                      condensed_question=query.condensed if query.context else None)
