"""The offline default: an answer composed of the report's own sentences, each with its citation marker, in the
shape the question asks for (answering/compose.py)."""
from __future__ import annotations

import re
from typing import Iterator, Sequence

from assistant.answering import compose
from assistant.answering.judge import Assessment
from assistant.answering.retrieve import Hit, Query
from assistant.backends import Draft

_CLAUSE = re.compile(r"[^。；;，,！!？?\n]*[。；;，,！!？?\n]+(?:\[\d+\])?|[^。；;，,！!？?\n]+$")


class ExtractiveBackend:
    name = "extractive"
    grounded = True

    def __init__(self, max_sentences: int = 4):
        self.max_sentences = max_sentences

    def answer(self, query: Query, hits: list[Hit], assessment: Assessment, history: Sequence[dict] = ()) -> Draft:
        text, citations = compose.draft(query, hits, assessment, self.max_sentences)
        return Draft(text, citations, refused=not citations)

    def stream(self, query: Query, hits: list[Hit], assessment: Assessment,
               history: Sequence[dict] = ()) -> Iterator[str | Draft]:
        draft = self.answer(query, hits, assessment)
        # clause by clause, as a reader would take it in (the text is ready; this only paces the display)
        yield from (m.group(0) for m in _CLAUSE.finditer(draft.text))
        yield draft
