"""The Assistant: ties the index, retrieval, relevance and a backend into cited answers."""
from __future__ import annotations

import os
import re
import sys
import threading
import time
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterator, Sequence

from assistant import backends as backends_mod
from assistant.answering import citations, shape, small_talk, understand
from assistant.answering.calibration import Decision
from assistant.answering.conversation import BRIEF, MORE, contextualize, follows_up, user_turns
from assistant.answering.judge import Assessment, assess, used as used_by_reports
from assistant.answering.model_judge import ModelJudge, evidence
from assistant.answering.question import WIDTH, clean_history, clean_question, clean_sources, fix_typos, normalise
from assistant.answering.retrieve import Hit, Query, Retriever
from assistant.answering.understand import Reading
from assistant.backends import BackendError, choices
from assistant.config import Config, load_config_from
from assistant.contract import Answer, Passage
from assistant.errors import ConfigError, QuestionError
from assistant.index.embedder import Embedder
from assistant.index.store import Store
from assistant.index.tokens import Tokenizer, get_tokenizer
from assistant.ingest.pipeline import ensure_index


COUNTED = re.compile(r"[一二两三四五六七八九十几半每这那]\w")  # 一段, 两个, 每个: a count of something, not a topic


def _without_secrets(text: str, config: Config) -> str:
    """A model server's error may echo the key it was sent (some proxies do): the notice reaches people and logs."""
    for name in {config.openai_api_key_env, config.api_key_env} - {"", None}:
        secret = os.environ.get(name, "")
        if len(secret) >= 4:
            text = text.replace(secret, "***")
    return text


NOTHING_MORE = "关于这一点，报告里能引用的就是上面回答里的这些，没有更多内容了。可以换个方面继续问。"


def _refusal(hits: list[Hit], assessment: Assessment) -> str:
    text = "报告中没有找到能回答这个问题的信息。"
    if assessment.reason.startswith(("报告中没有提到", "报告提到了", "找到的段落没有给出")):
        text = assessment.reason + "。"  # what exactly it lacks (第三轮, “五级书记”, the venue asked for)
    near = [h.paragraph for h in hits[:2]]
    if near and assessment.reason != "索引中没有段落":
        several = len({p.source for p in near}) > 1  # 「第1段、第1段」 of two files says nothing: name them
        text += "可能相关的段落：" + "、".join(f"{p.source + ' ' if several else ''}第{p.number}段" for p in near) + "。"
    return text


class Assistant:
    """Answers questions about the indexed reports, citing the paragraphs it quotes.

    >>> a = Assistant.from_config()
    >>> a.ask("巡视组从哪天开始进驻？").citations[0].paragraph
    2
    """

    def __init__(self, config: Config, *, store: Store, retriever: Retriever, backend: backends_mod.Backend,
                 tokenizer: Tokenizer, notices: Sequence[str] = (), decision: Decision | None = None):
        self.config, self.store, self.retriever, self.backend = config, store, retriever, backend
        self.tokenizer = tokenizer
        # is it answered? (fitted: answering/calibration.json). Left as loaded, judge.assess picks the fitted one for
        # what is searched (one report or several); set, it is used for every question
        self._loaded_decision = Decision.load()
        self.decision = decision or self._loaded_decision
        self.notices = list(notices)  # what happened while starting (index built or rebuilt)
        self._backends: dict[str, backends_mod.Backend] = {backend.name: backend}
        self._lock = threading.Lock()
        self._judge: ModelJudge | None = None  # careful mode's model judge, made on first use

    @classmethod
    def from_config(cls, config: Config | None = None, notify: Callable[[str], None] | None = None,
                    embedder: Embedder | None = None) -> "Assistant":
        """Build everything from settings: open (or build) the index, load the tokenizer and the backend."""
        config = config or load_config_from()
        notices: list[str] = []

        def tell(msg: str) -> None:
            notices.append(msg)
            (notify or (lambda m: print(m, file=sys.stderr, flush=True)))(msg)

        backend = backends_mod.create(config.backend, config)  # model backends connect on first use
        embedder = embedder or Embedder(config.embed_threads)
        tokenizer = get_tokenizer(tuple(config.user_dicts()))
        store = ensure_index(config, embedder, tokenizer, tell)
        retriever = Retriever(store, embedder, tokenizer)
        return cls(config, store=store, retriever=retriever, backend=backend, tokenizer=tokenizer, notices=notices)

    def reopened(self) -> "Assistant":
        """A new Assistant over the index as it is now (after another process's ingest), sharing this one's
        settings, embedder, tokenizer and backends. IndexStoreError when the index cannot be opened."""
        store = Store.open(self.store.location, fresh=True)
        a = Assistant(self.config, store=store, retriever=Retriever(store, self.retriever.embedder, self.tokenizer),
                      backend=self.backend, tokenizer=self.tokenizer,
                      decision=None if self.decision is self._loaded_decision else self.decision)
        with self._lock:
            a._backends.update(self._backends)
            a._judge = self._judge
        return a

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
        return Passage(p.source, p.number, p.section, p.text, 1.0, self.retriever.title(p.source), p.page) \
            if p else None

    def backend_for(self, name: str | None = None) -> backends_mod.Backend:
        """The backend called NAME (default: the configured one), created on first use; ConfigError if unknown.
        NAME is a backend name or a profile of the config file (``choices.resolve``)."""
        if name is None:
            return self.backend
        if not isinstance(name, str):
            raise ConfigError(f"backend must be a name (available: {', '.join(choices.keys(self.config))})")
        with self._lock:
            if name not in self._backends:
                choice = choices.resolve(self.config, name)
                self._backends[name] = backends_mod.create(choice.backend, choice.config)
            return self._backends[name]

    def backend_choices(self) -> list[choices.Choice]:
        """The backends and profiles worth offering a person, the one in use first (``choices.configured``)."""
        return choices.configured(self.config)

    def _prepare(self, question: Any, history: Any, top_k: int | None,
                 backend: backends_mod.Backend, sources: Any = None) -> "_Prepared":
        """The pipeline up to the answer: understand → (conversation) → retrieve → judge → shape."""
        q = clean_question(question)
        chosen = clean_sources(sources, self.retriever.sources, list(self.store.manifest.get("skipped", {})))
        if top_k is not None and (not isinstance(top_k, int) or isinstance(top_k, bool) or not 1 <= top_k <= 50):
            raise QuestionError("top_k 必须是 1 到 50 之间的整数")
        past = clean_history(history)
        scope = self.retriever.scope(chosen)  # the reports asked about, with their own word statistics
        reading = self._understand(q, scope)
        talked = bool(user_turns(past))
        if MORE.match(reading.text.strip()) or BRIEF.match(reading.text.strip()):
            if not talked and reading.intent in ("question", "small_talk"):
                reading.intent = "needs_context"  # 「说详细点」 with nothing said before it to expand on
            elif talked:
                reading.intent = "question"  # 「说详细点」「举个例子」「简单点」 ask about the answer just given
        else:
            # 「吃饭没」「在忙吗」: nothing of the reports to look up, alone or in a conversation
            reading.intent = understand.too_short_to_look_up(reading, talked, follows_up(reading.text)) or reading.intent
        prep = _Prepared(q, Query(reading.text), past, reading=reading, sources=chosen)
        prep.notices.extend(reading.notes)
        if reading.intent != "question":
            return prep
        if reading.shape in ("overview", "list"):
            titles = [scope.title(s) for s in (chosen or scope.sources)]
            # in a conversation, 「主要问题有哪些？」 may mean the previous topic's; 「这篇报告讲了什么？」 never does
            if (not past or shape.names_the_whole(reading, self.tokenizer, titles)) \
                    and shape.is_overview(reading, scope.in_scope, self.tokenizer, titles):
                prep.assessment = shape.overview(scope, self.tokenizer, chosen)
                prep.hits = scope.search(prep.query, top_k or self.config.top_k)
                return prep
        prep.query = contextualize(reading.text, past, self.tokenizer.topic_words, lambda: scope.headings())
        if prep.query.kind == "locate":  # 「这是在哪一部分讲的？」: the sections of the previous answer's quotes
            found = shape.locate(scope.in_scope, prep.query.exclude)
            if found is not None:
                prep.assessment = found
                placed = [Hit(p, 1.0) for p, _ in found.outline]  # what was asked about is what was retrieved
                ids = {h.paragraph.id for h in placed}
                rest = [h for h in scope.search(prep.query, top_k or self.config.top_k) if h.paragraph.id not in ids]
                prep.hits = (placed + rest)[:max(len(placed), top_k or self.config.top_k)]
                return prep
            prep.query = Query(prep.query.text)
        if prep.query.kind in ("more", "brief"):  # "还有呢？": the previous question again, in its own shape
            reading = prep.reading = self._understand(prep.query.text, scope)
            if prep.query.kind == "brief" and reading.shape == "overview" and shape.is_overview(
                    reading, scope.in_scope, self.tokenizer, [scope.title(s) for s in (chosen or scope.sources)]):
                prep.assessment = shape.overview(scope, self.tokenizer, chosen)  # 「简单点」: the headings alone
                prep.hits = scope.search(prep.query, top_k or self.config.top_k)
                return prep
        if prep.query.context and not backend.grounded and self.config.condense != "rules":
            self._condense(prep, backend)
        prep.hits = scope.search(prep.query, top_k or self.config.top_k)
        careful = self._careful(prep.notices) if self.config.careful else None
        fixed = None if self.decision is self._loaded_decision else self.decision
        judged = assess(prep.query, prep.hits, self.tokenizer, scope, reading, fixed, careful)
        prep.assessment = shape.shaped(judged, reading, prep.query, prep.hits, self.tokenizer, scope)
        return prep

    def _careful(self, notices: list[str]):
        """Careful mode's judge for one question: (question, ranked sentences) → (careful decision, model score), or
        None with a notice saying why careful mode cannot run. The model is the llamacpp backend's own instance
        (one copy in memory when it also answers)."""
        if self._judge is None:
            model = self.backend_for("llamacpp")
            with self._lock:
                self._judge = self._judge or ModelJudge(model, Decision.load("careful"),
                                                        Decision.load("careful_several"))
        judge = self._judge

        def careful(question: str, sentences: list, several: bool):
            score = judge.score(question, evidence(sentences), notices.append, several)
            return None if score is None else (judge.decision_for(several), score)
        return careful

    def _understand(self, q: str, scope: Retriever | None = None) -> Reading:
        scope = scope or self.retriever

        def report_words(text: str) -> list[str]:
            """TEXT's words that the reports in scope use (or each part of: 驻村干部), leaving out those that frame any
            question (问题, 报告) and those a sentence is built of (「数学老是考不好」 names nothing by 不好)."""
            return [w for w in self.tokenizer.topic_words(text)
                    if len(w) >= 2 and w not in shape.QUESTION_FRAME and not COUNTED.fullmatch(w)
                    and not self.tokenizer.builds_sentences(w) and used_by_reports(w, self.tokenizer, scope)]

        text = normalise(q)
        if text != q.translate(WIDTH) and len(report_words(q)) > len(report_words(text)):
            text = q.translate(WIDTH)  # the reports are in traditional characters too: keep the question's script
        if re.search(r"[\u4e00-\u9fff]", text):
            text = fix_typos(text, scope, self.tokenizer.is_word)
        return understand.read(q, text, report_words)

    def _small_talk(self, prep: "_Prepared", t0: float, id: Any) -> Answer:
        titles = [self.retriever.title(s) for s in (prep.sources or self.retriever.sources)]
        text = small_talk.reply(prep.reading, titles, self.retriever.headings(prep.sources))
        return self._finish(prep, backends_mod.Draft(text, [], prep.reading.intent in small_talk.REFUSING), "extractive",
                            t0, id)

    def _condense(self, prep: "_Prepared", backend) -> None:
        """A follow-up rewritten by the model into a standalone question; the rules' reading when that fails."""
        try:
            text = backend.condense(prep.question, prep.history)
        except BackendError as e:
            prep.failed = e  # the model is not answering: don't wait for it a second time
            return
        except Exception as e:  # a backend bug must not reach the person
            prep.failed = BackendError(backend.name, f"{type(e).__name__}: {e}")
            return
        if text and re.search(r"[\u4e00-\u9fff]", text) and len(text) <= 3 * len(prep.question) + 120 \
                and not citations.looks_like_refusal(text):
            prep.query, prep.condensed = Query(text), text
        else:
            prep.notices.append(f"{backend.name} 没能把追问改写成完整问题，按规则理解追问")

    def ask(self, question: str, history: Sequence[dict] | None = None, top_k: int | None = None,
            id: Any = None, backend: str | None = None, sources: list[str] | None = None) -> Answer:
        """Answer one question (with optional OpenAI-style history) with BACKEND (a name; default: configured),
        from the reports named in SOURCES (file names; default: all indexed).

        Never raises for a refusal or a failing model: the extractive answer comes with a notice instead."""
        t0 = time.perf_counter()
        be = self.backend_for(backend)
        prep = self._prepare(question, history, top_k, be, sources)
        if prep.reading.intent != "question":
            return self._small_talk(prep, t0, id)
        if not prep.assessment.answerable:
            return self._finish(prep, _refusal_draft(prep), be.name, t0, id)
        if be.grounded:
            return self._finish(prep, be.answer(prep.query, prep.hits, prep.assessment, prep.history), be.name, t0, id)
        draft = None
        if prep.failed is None:
            try:
                draft = be.answer(prep.query, prep.hits, prep.assessment, prep.history)
            except BackendError as e:
                prep.failed = e
            except Exception as e:
                prep.failed = BackendError(be.name, f"{type(e).__name__}: {e}")
        return self._settle(prep, be, draft, t0, id)

    def stream(self, question: str, history: Sequence[dict] | None = None, top_k: int | None = None,
               id: Any = None, backend: str | None = None, sources: list[str] | None = None,
               stage: Callable[[str], None] | None = None) -> Iterator[str | Answer]:
        """Yield pieces of answer text as they come, then the complete Answer (citations verified).

        When a model fails part-way, the pieces already yielded are superseded by the final Answer's text.
        STAGE, when given, is told "retrieving" and then "generating" (when a backend starts on the passages)."""
        t0 = time.perf_counter()
        be = self.backend_for(backend)
        if stage:
            stage("retrieving")
        prep = self._prepare(question, history, top_k, be, sources)
        if prep.reading.intent != "question":
            answer = self._small_talk(prep, t0, id)
            yield answer.answer
            yield answer
            return
        if not prep.assessment.answerable:
            draft = _refusal_draft(prep)
            yield draft.text
            yield self._finish(prep, draft, be.name, t0, id)
            return
        draft = None
        if stage:
            stage("generating")
        if be.grounded or prep.failed is None:
            try:
                for piece in be.stream(prep.query, prep.hits, prep.assessment, prep.history):
                    if isinstance(piece, str):
                        yield piece
                    else:
                        draft = piece
            except BackendError as e:
                prep.failed = e
            except Exception as e:
                if be.grounded:
                    raise
                prep.failed = BackendError(be.name, f"{type(e).__name__}: {e}")
        if be.grounded:
            yield self._finish(prep, draft, be.name, t0, id)
        else:
            yield self._settle(prep, be, draft, t0, id)

    def _extractive(self) -> backends_mod.Backend:
        return self.backend if self.backend.grounded else self.backend_for("extractive")

    def _settle(self, prep: "_Prepared", be, draft: backends_mod.Draft | None, t0: float, id: Any) -> Answer:
        """A model's draft, its citations verified; or the extractive answer and a notice saying why."""
        def fallback(why: str) -> Answer:
            prep.notices.append(f"{why}；以下是摘录原文的回答")
            extractive = self._extractive()
            return self._finish(prep, extractive.answer(prep.query, prep.hits, prep.assessment), extractive.name,
                                t0, id)

        if prep.failed is not None or draft is None:
            err = prep.failed or BackendError(be.name, "没有返回回答")
            return fallback(f"模型后端 {err.backend} 出错：{_without_secrets(err.reason, self.config)}")
        v = citations.verify(draft.text, prep.hits, self.tokenizer, self.retriever.scope(prep.sources), draft.k)
        if v.verified == 0 and citations.looks_like_refusal(draft.text):
            # the model's judgement stands unless the fitted decision is sure the report answers the question
            if prep.assessment.probability >= (prep.assessment.decision or self.decision).model_threshold:
                return fallback(f"{be.name} 认为资料中没有答案，但检索到的段落与问题高度相关")
            text = citations.MARKER.sub("", draft.text).strip()
            return self._finish(prep, backends_mod.Draft(text, [], True), be.name, t0, id)
        if v.verified == 0:
            return fallback(f"{be.name} 的回答在报告中找不到依据（{len(v.unsupported) or '所有'} 句无法核实）")
        # True to the report is not enough: an answer that repeats an unrelated passage (one that told the model what
        # to say, say) does not answer the question. Judged by meaning, not shared words: the answer must be as close
        # to the question as the least relevant paragraph retrieval found for it.
        if not self._on_topic(prep, citations.MARKER.sub("", v.text)):
            return fallback(f"{be.name} 的回答与问题无关")
        prep.unsupported = v.unsupported
        return self._finish(prep, backends_mod.Draft(v.text, v.citations), be.name, t0, id)

    def _on_topic(self, prep: "_Prepared", text: str) -> bool:
        hits = [h for h in prep.hits if h.dense > 0]
        if not hits or not text.strip():
            return bool(text.strip())
        embedder = self.retriever.embedder
        similarity = float(embedder.query(prep.query.text) @ embedder.passages([text])[0])
        return similarity >= min(h.dense for h in hits)

    def _finish(self, prep: "_Prepared", draft: backends_mod.Draft | None, backend: str, t0: float,
                id: Any) -> Answer:
        hits = prep.hits
        retrieved = [Passage(h.paragraph.source, h.paragraph.number, h.paragraph.section, h.paragraph.text,
                             round(h.score, 4), self.retriever.title(h.paragraph.source), h.paragraph.page)
                     for h in hits]
        if draft is None or (draft.refused and not draft.text):
            if prep.query.kind == "more" and prep.assessment.answerable:  # 「还有呢」 when everything was quoted
                draft = backends_mod.Draft(NOTHING_MORE, [], True)
            else:
                draft = backends_mod.Draft(_refusal(hits, Assessment(False, "", [])), [], True)
        condensed = prep.condensed or (prep.query.condensed if prep.query.context else None)
        return Answer(question=prep.question, answer=draft.text, refused=draft.refused,
                      citations=[self._located(c) for c in draft.citations],
                      retrieved=retrieved, backend=backend, elapsed_ms=(time.perf_counter() - t0) * 1000, id=id,
                      condensed_question=condensed, notices=list(prep.notices),
                      unsupported_sentences=list(prep.unsupported))

    def _located(self, c):
        """A citation naming its document's title and page, however the backend built it."""
        p = self.retriever.by_number(c.source, c.paragraph)
        return replace(c, title=c.title or self.retriever.title(c.source), page=c.page if p is None else p.page)


@dataclass
class _Prepared:
    """One question on its way through the pipeline."""
    question: str
    query: Query
    history: list[dict]
    reading: Reading
    sources: list[str] | None = None
    hits: list[Hit] = field(default_factory=list)
    assessment: Assessment = field(default_factory=lambda: Assessment(False, "", []))
    condensed: str | None = None  # the model's standalone rewrite of a follow-up
    failed: BackendError | None = None
    notices: list[str] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)


def _refusal_draft(prep: _Prepared) -> backends_mod.Draft:
    return backends_mod.Draft(_refusal(prep.hits, prep.assessment), [], True)
