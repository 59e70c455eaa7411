"""The answer contract: the JSON every front end returns (CLI --json, Python ``to_dict()``, HTTP)."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Citation:
    """One ``[n]`` marker: a verbatim quote (``text[start:end] == quote``) from a numbered paragraph."""
    n: int
    source: str
    paragraph: int
    section: str | None
    text: str
    quote: str
    start: int
    end: int
    score: float
    verified: bool = True  # the quoted paragraph supports the sentence carrying the marker (words and numbers)
    title: str | None = None  # the document's title (the file name when it has none); filled in by the Assistant
    page: int | None = None  # the PDF page the paragraph starts on; None for other formats
    kind: str = "paragraph"  # "heading": the quote is a section heading (``paragraph`` is the section's first)

    def __post_init__(self) -> None:
        if self.text[self.start:self.end] != self.quote:
            raise ValueError(f"quote is not text[{self.start}:{self.end}] of paragraph {self.paragraph}")


@dataclass
class Passage:
    """A retrieved paragraph, ranked."""
    source: str
    paragraph: int
    section: str | None
    text: str
    score: float
    title: str | None = None  # the document's title (the file name when it has none)
    page: int | None = None  # the PDF page the paragraph starts on; None for other formats


@dataclass
class Answer:
    """What the assistant says, with the paragraphs it rests on.

    >>> answer.to_dict()["citations"][0]["quote"] in answer.to_dict()["citations"][0]["text"]
    True
    """
    question: str
    answer: str
    refused: bool
    citations: list[Citation] = field(default_factory=list)
    retrieved: list[Passage] = field(default_factory=list)
    backend: str = "extractive"
    elapsed_ms: float = 0.0
    id: Any = None
    condensed_question: str | None = None  # the question as retrieval read it, when history changed it
    notices: list[str] = field(default_factory=list)  # one-line messages for the person (e.g. index rebuilt)
    unsupported_sentences: list[str] = field(default_factory=list)  # answer sentences no cited paragraph supports

    def to_dict(self) -> dict[str, Any]:
        d = {"id": self.id, "question": self.question, "answer": self.answer, "refused": self.refused,
             "citations": [asdict(c) for c in self.citations], "retrieved": [asdict(p) for p in self.retrieved],
             "backend": self.backend, "elapsed_ms": round(self.elapsed_ms, 1),
             "unsupported_sentences": list(self.unsupported_sentences)}
        if self.condensed_question:
            d["condensed_question"] = self.condensed_question
        if self.notices:
            d["notices"] = list(self.notices)
        return d

    def sources_text(self) -> str:
        """The citations as plain text: one line per marker with where it points and what it quotes."""
        lines = ["来源："] if self.citations else []
        for c in self.citations:
            doc = f"{c.title}（{c.source}）" if c.title and c.title != c.source else c.source
            where = (f"第{c.page}页 " if c.page is not None else "") + (
                f"小标题（第{c.paragraph}段起）" if c.kind == "heading" else
                f"第{c.paragraph}段" + (f"（{c.section}）" if c.section else ""))
            flag = "" if c.verified else "（未能核实：该段落不支持这句话）"
            lines.append(f"[{c.n}] {doc} {where}：“{c.quote}”{flag}")
        return "\n".join(lines)

    def format(self) -> str:
        """The answer for a person reading a terminal: the text, then each citation with its quote."""
        notes = [f"（{n}）" for n in self.notices]
        flagged = "\n".join(["以下句子在引用的段落中找不到依据，请谨慎对待："] + [f"· {s}" for s in self.unsupported_sentences]
                            ) if self.unsupported_sentences else ""
        return "\n\n".join(x for x in (*notes, self.answer, flagged, self.sources_text()) if x)
