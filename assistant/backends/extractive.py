"""The offline default: an answer composed of the report's own sentences, each with its citation marker."""
from __future__ import annotations

import re
from typing import Iterator, Sequence

from ..contract import Citation
from ..relevance import Assessment, Sentence, select
from ..retrieve import Hit, Query
from . import Draft

TRAILING = "。；;，,、！!？?：: "
_CLAUSE = re.compile(r"[^。；;，,！!？?]*[。；;，,！!？?]+(?:\[\d+\])?|[^。；;，,！!？?]+$")


class ExtractiveBackend:
    name = "extractive"
    grounded = True

    def __init__(self, max_sentences: int = 4):
        self.max_sentences = max_sentences

    def answer(self, query: Query, hits: list[Hit], assessment: Assessment, history: Sequence[dict] = ()) -> Draft:
        groups = _merge(select(assessment.sentences, self.max_sentences))
        citations, parts = [], []
        for n, (first, last) in enumerate(groups, 1):
            p = first.paragraph
            quote = p.text[first.start:last.end]
            citations.append(Citation(n, p.source, p.number, p.section, p.text, quote, first.start, last.end,
                                      round(first.hit_score, 4)))
            parts.append(quote.rstrip(TRAILING) + f"[{n}]")
        return Draft("；".join(parts) + "。" if parts else "", citations, refused=not parts)

    def stream(self, query: Query, hits: list[Hit], assessment: Assessment,
               history: Sequence[dict] = ()) -> Iterator[str | Draft]:
        draft = self.answer(query, hits, assessment)
        # clause by clause, as a reader would take it in (the text is ready; this only paces the display)
        yield from (m.group(0) for m in _CLAUSE.finditer(draft.text))
        yield draft


def _merge(chosen: list[Sentence]) -> list[tuple[Sentence, Sentence]]:
    """Neighbouring sentences of one paragraph become one quote, so one claim has one marker."""
    groups: list[tuple[Sentence, Sentence]] = []
    for s in chosen:
        if groups:
            first, last = groups[-1]
            between = s.paragraph.text[last.end:s.start]
            if s.paragraph is last.paragraph and len(between) <= 6 and not any(c in "。！？!?" for c in between):
                groups[-1] = (first, s)
                continue
        groups.append((s, s))
    return groups
