"""Scoring the assistant on a question set (../shared/eval/dev.jsonl format): retrieval, citations, refusals."""
from __future__ import annotations

import json
import re
import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from .errors import ReadError

# Page chrome that must never be retrieved or cited (checked independently of the cleaner's own rules).
FURNITURE = re.compile(r"责任编辑|校对[:：]|精选(专题|文章|视频|图片)|微信公众平台|二维码|客户端|官方微博")


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


@dataclass
class Scores:
    answerable: int = 0
    unanswerable: int = 0
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
    backend: str = ""
    ms: list[float] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)

    def table(self) -> list[tuple[str, str]]:
        a, u = max(1, self.answerable), self.unanswerable
        return [
            ("questions", f"{self.answerable} answerable, {u} unanswerable"),
            ("hit@1", f"{self.hit1 / a:.3f}"), ("hit@3", f"{self.hit3 / a:.3f}"), ("hit@5", f"{self.hit5 / a:.3f}"),
            ("MRR", f"{self.rr / a:.3f}"),
            ("citation hit (a cited paragraph holds the gold span)", f"{self.cited / a:.3f}"),
            ("answer keywords", f"{self.keywords / a:.3f}"),
            ("verbatim quotes", f"{self.quotes_verbatim}/{self.quotes}"),
            ("verified citations", f"{self.verified}/{self.quotes}" + (f" ({self.verified / self.quotes:.3f})"
                                                                         if self.quotes else "")),
            ("unsupported sentences", str(self.unsupported)),
            ("fallbacks (extractive answered instead)", f"{self.fallbacks}/{len(self.ms)}"),
            ("unanswerable refused", f"{self.refused_unanswerable}/{u}"),
            ("false refusals", f"{self.false_refusals}/{self.answerable}"),
            ("web furniture retrieved or cited", str(self.furniture)),
            ("answer ms (p50)", f"{statistics.median(self.ms):.1f}" if self.ms else "-"),
            ("seconds per answer (mean)", f"{statistics.mean(self.ms) / 1000:.2f}" if self.ms else "-"),
        ]

    def as_dict(self) -> dict[str, str]:
        return dict(self.table())


def score(assistant, items: Iterable[dict[str, Any]], backend: str | None = None,
          on_answer: Callable[[Any], Any] | None = None) -> Scores:
    """Run every item through ASSISTANT (with BACKEND, a name; default: the configured one); ON_ANSWER sees
    each Answer (to keep what a model said)."""
    s = Scores(backend=backend or assistant.backend.name)
    for item in items:
        ans = assistant.ask(item["question"], item.get("history") or None, top_k=max(5, assistant.config.top_k),
                             id=item.get("id"), backend=backend)
        if on_answer:
            on_answer(ans)
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
        if not item.get("answerable", True):
            s.unanswerable += 1
            s.refused_unanswerable += ans.refused
            if not ans.refused:
                s.misses.append(f"{item.get('id')}: answered an unanswerable question")
            continue
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
        if ans.refused:
            s.false_refusals += 1
            s.misses.append(f"{item.get('id')}: refused an answerable question")
        elif not cited:
            s.misses.append(f"{item.get('id')}: no cited paragraph holds the gold span")
    return s
