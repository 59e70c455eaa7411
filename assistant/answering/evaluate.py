"""Scoring the assistant on a question set (../shared/eval/dev.jsonl format): retrieval, citations and refusals,
overall and per question type, with a record of each failure."""
from __future__ import annotations

import json
import re
import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.errors import ReadError

# Page chrome that must never be retrieved or cited (checked independently of the cleaner's own rules).
FURNITURE = re.compile(r"责任编辑|校对[:：]|精选(专题|文章|视频|图片)|微信公众平台|二维码|客户端|官方微博")
SAID_CHARS = 200  # how much of an answer a failure record keeps


def norm(s: str) -> str:
    return re.sub(r"[\W_]+", "", s)


def load_questions(path: Path) -> list[dict[str, Any]]:
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise ReadError(f"cannot read question set {path}: {e}") from None
    items = []
    for i, line in enumerate(lines, 1):
        if line.strip():
            try:
                items.append(json.loads(line))
            except json.JSONDecodeError as e:
                raise ReadError(f"{path}:{i}: not a JSON object ({e.msg})") from None
    return items


def select(items: Iterable[dict[str, Any]], split: str | None = None) -> list[dict[str, Any]]:
    """The rows of SPLIT ("train", "test"); every row when SPLIT is None (rows without a split only then)."""
    return [it for it in items if split is None or it.get("split") == split]


def _rate(num: float, den: int) -> float | None:
    return num / den if den else None


def _fmt(num: float, den: int) -> str:
    return f"{num / den:.3f}" if den else "-"


@dataclass
class Scores:
    answerable: int = 0
    unanswerable: int = 0  # questions the report does not answer (chit-chat not counted: see chitchat)
    chitchat: int = 0  # greetings, meta and small talk: answered as such, never refused
    hit1: int = 0
    hit3: int = 0
    hit5: int = 0
    rr: float = 0.0
    cited: int = 0
    keywords: int = 0
    quotes: int = 0
    quotes_verbatim: int = 0
    refused_unanswerable: int = 0
    false_refusals: int = 0
    furniture: int = 0
    verified: int = 0  # citations whose paragraph supports their sentence
    unsupported: int = 0  # answer sentences flagged as unsupported
    fallbacks: int = 0  # answers the configured model did not give (extractive instead, with a notice)
    offtopic: int = 0  # unanswerable or chitchat questions
    quoted_offtopic: int = 0  # ... of them answered with report quotes
    item_recall: float = 0.0  # summed over the questions with "items": the share of the items the answer names
    with_items: int = 0  # questions with "items"
    backend: str = ""
    ms: list[float] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)
    failures: list[dict[str, Any]] = field(default_factory=list)
    by_type: dict[str, Scores] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return self.answerable + self.unanswerable + self.chitchat

    def table(self) -> list[tuple[str, str]]:
        a, u = max(1, self.answerable), self.unanswerable
        return [
            ("questions", f"{self.answerable} answerable, {u} unanswerable, {self.chitchat} chit-chat"),
            ("hit@1", f"{self.hit1 / a:.3f}"), ("hit@3", f"{self.hit3 / a:.3f}"), ("hit@5", f"{self.hit5 / a:.3f}"),
            ("MRR", f"{self.rr / a:.3f}"),
            ("citation hit (a cited paragraph holds the gold span)", f"{self.cited / a:.3f}"),
            ("answer keywords", f"{self.keywords / a:.3f}"),
            ("list item recall (items named in the answer)", _fmt(self.item_recall, self.with_items)),
            ("verbatim quotes", f"{self.quotes_verbatim}/{self.quotes}"),
            ("verified citations", f"{self.verified}/{self.quotes}" + (f" ({self.verified / self.quotes:.3f})"
                                                                         if self.quotes else "")),
            ("unsupported sentences", str(self.unsupported)),
            ("fallbacks (extractive answered instead)", f"{self.fallbacks}/{len(self.ms)}"),
            ("unanswerable refused (chit-chat not counted)", f"{self.refused_unanswerable}/{u}"),
            ("false refusals", f"{self.false_refusals}/{self.answerable}"),
            ("off-topic answered with report quotes", f"{self.quoted_offtopic}/{self.offtopic}"),
            ("web furniture retrieved or cited", str(self.furniture)),
            ("answer ms (p50)", f"{statistics.median(self.ms):.1f}" if self.ms else "-"),
            ("seconds per answer (mean)", f"{statistics.mean(self.ms) / 1000:.2f}" if self.ms else "-"),
        ]

    def as_dict(self) -> dict[str, str]:
        return dict(self.table())

    def row(self) -> dict[str, str]:
        """One line of the per-type table: rates over the answerable questions, counts over the others."""
        a, u = self.answerable, self.unanswerable
        return {"n": str(self.n), "hit@1": _fmt(self.hit1, a), "hit@3": _fmt(self.hit3, a),
                "cited": _fmt(self.cited, a), "refused": f"{self.false_refusals}/{a}",
                "refused-unanswerable": f"{self.refused_unanswerable}/{u}",
                "quoted off-topic": f"{self.quoted_offtopic}/{self.offtopic}",
                "item recall": _fmt(self.item_recall, self.with_items)}

    def summary(self) -> dict[str, Any]:
        """The measures as numbers (rates in [0, 1], None when nothing to divide by), for --json."""
        a, u = self.answerable, self.unanswerable
        return {"n": self.n, "answerable": a, "unanswerable": u, "chitchat": self.chitchat,
                "hit@1": _rate(self.hit1, a), "hit@3": _rate(self.hit3, a), "hit@5": _rate(self.hit5, a),
                "mrr": _rate(self.rr, a), "cited": _rate(self.cited, a), "keywords": _rate(self.keywords, a),
                "false_refusals": self.false_refusals, "refused_unanswerable": self.refused_unanswerable,
                "offtopic": self.offtopic, "quoted_offtopic": self.quoted_offtopic,
                "item_recall": _rate(self.item_recall, self.with_items),
                "with_items": self.with_items, "quotes": self.quotes, "quotes_verbatim": self.quotes_verbatim,
                "verified": self.verified, "unsupported": self.unsupported, "fallbacks": self.fallbacks,
                "furniture": self.furniture, "ms_p50": statistics.median(self.ms) if self.ms else None}


def _fail(s: Scores, item: dict[str, Any], ans, why: str, expected: Any) -> None:
    """Record a failure in S: a line in misses and a record in failures."""
    said = ans.answer if len(ans.answer) <= SAID_CHARS else ans.answer[:SAID_CHARS] + "…"
    s.misses.append(f"{item.get('id')}: {why}")
    s.failures.append({"id": item.get("id"), "type": item.get("type") or "-", "question": item.get("question"),
                       "expected": expected, "said": said, "why": why})


def _add(s: Scores, item: dict[str, Any], ans) -> None:
    """Count one Answer ANS to ITEM into S."""
    s.ms.append(ans.elapsed_ms)
    s.verified += sum(c.verified for c in ans.citations)
    s.unsupported += len(ans.unsupported_sentences)
    if ans.backend != s.backend:
        s.fallbacks += 1
        s.misses.append(f"{item.get('id')}: {'; '.join(ans.notices) or 'answered by ' + ans.backend}")
    s.quotes += len(ans.citations)
    s.quotes_verbatim += sum(c.text[c.start:c.end] == c.quote and c.quote in c.text for c in ans.citations)
    s.furniture += sum(bool(FURNITURE.search(t)) for t in [p.text for p in ans.retrieved] +
                       [c.text for c in ans.citations])
    chitchat = item.get("type") == "chitchat"
    if not item.get("answerable", True) or chitchat:
        s.offtopic += 1
        s.quoted_offtopic += bool(ans.citations)
    if chitchat and not item.get("answerable", True):  # met with the introduction, not refused: judged by quotes
        s.chitchat += 1
        if ans.citations:
            _fail(s, item, ans, "chitchat answered with report quotes", "no report quotes")
        return
    if not item.get("answerable", True):
        s.unanswerable += 1
        s.refused_unanswerable += ans.refused
        if not ans.refused:
            _fail(s, item, ans, "answered an unanswerable question", "refusal")
        return
    s.answerable += 1
    gold = [norm(g) for g in item.get("gold", [])]
    holds = lambda text: any(g and g in norm(text) for g in gold)
    rank = next((i for i, p in enumerate(ans.retrieved) if holds(p.text)), None)
    if rank is not None:
        s.hit1 += rank < 1
        s.hit3 += rank < 3
        s.hit5 += rank < 5
        s.rr += 1 / (rank + 1)
    cited = any(holds(c.text) for c in ans.citations)
    s.cited += cited
    s.keywords += all(k in ans.answer for k in item.get("keywords", []))
    listed = [norm(x) for x in item.get("items") or [] if norm(x)]
    if listed:
        said = norm(ans.answer)
        s.with_items += 1
        s.item_recall += sum(x in said for x in listed) / len(listed)
    if chitchat and ans.citations:  # an answerable chitchat row still must not quote the report
        _fail(s, item, ans, "chitchat answered with report quotes", "no report quotes")
    if ans.refused:
        s.false_refusals += 1
        _fail(s, item, ans, "refused an answerable question", item.get("gold", []))
    elif not cited:
        _fail(s, item, ans, "no cited paragraph holds the gold span", item.get("gold", []))


def tally(s: Scores, item: dict[str, Any], ans) -> None:
    """Count ANS into S and into S's Scores for ITEM's type."""
    _add(s, item, ans)
    kind = item.get("type") or "-"
    _add(s.by_type.setdefault(kind, Scores(backend=s.backend)), item, ans)


def score(assistant, items: Iterable[dict[str, Any]], backend: str | None = None,
          on_answer: Callable[[Any], Any] | None = None, split: str | None = None) -> Scores:
    """Run every item (of SPLIT, when given) through ASSISTANT (with BACKEND, a name; default: the configured
    one); ON_ANSWER sees each Answer (to keep what a model said). Totals, per-type Scores and failure records."""
    s = Scores(backend=backend or assistant.backend.name)
    for item in select(items, split):
        ans = assistant.ask(item["question"], item.get("history") or None, top_k=max(5, assistant.config.top_k),
                             id=item.get("id"), backend=backend)
        if on_answer:
            on_answer(ans)
        tally(s, item, ans)
    return s


COLUMNS = ("n", "hit@1", "hit@3", "cited", "refused", "refused-unanswerable", "quoted off-topic", "item recall")


def type_table(s: Scores) -> list[str]:
    """The per-type table as text lines: one row per question type, then all of them."""
    rows = [(kind, t.row()) for kind, t in sorted(s.by_type.items())] + [("all", s.row())]
    first = max([len("type")] + [len(k) for k, _ in rows])
    widths = [max(len(c), *(len(r[c]) for _, r in rows)) for c in COLUMNS]
    lines = ["  ".join([f"{'type':<{first}}"] + [f"{c:>{w}}" for c, w in zip(COLUMNS, widths)])]
    for kind, r in rows:
        lines.append("  ".join([f"{kind:<{first}}"] + [f"{r[c]:>{w}}" for c, w in zip(COLUMNS, widths)]))
    return lines


def failure_line(f: dict[str, Any]) -> str:
    expected = f["expected"] if isinstance(f["expected"], str) else " / ".join(f["expected"]) or "-"
    said = " ".join(f["said"].split())
    return f"{f['id']} [{f['type']}] {f['question']} → {said} ({f['why']}; expected {expected})"


def notes(s: Scores) -> list[str]:
    """The misses that are not failures (answers another backend gave instead, and why)."""
    failed = {f"{f['id']}: {f['why']}" for f in s.failures}
    return [m for m in s.misses if m not in failed]


def report(s: Scores, failures: bool = True) -> dict[str, Any]:
    """Scores as one JSON-ready object: overall, by_type and (with FAILURES) the failure records."""
    out: dict[str, Any] = {"backend": s.backend, "overall": s.summary(),
                           "by_type": {kind: t.summary() for kind, t in sorted(s.by_type.items())}}
    if failures:
        out["failures"] = s.failures
    return out
