"""Documents as numbered paragraphs (the citation unit) with sections, offsets, stable ids and sentences."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Callable

from assistant.ingest.cleaning import clean
from assistant.ingest.reader import RawFile

# v2: furniture by what it is (cleaning.py), source footnote marks as 〔n〕; v3: sentences end at layout gaps
CHUNKING_VERSION = "para-v3"
# A sentence or clause ends at 。！？； (or ASCII !?; or a '.' that is not inside a number), plus closing quotes; or
# where a page's layout broke it off without punctuation: a tab, a run of three spaces or two ideographic ones
# (「可惜处理器是       摘要：…」 is a fragment, then a page's summary box, not one sentence).
_SENTENCE_END = re.compile(r"(?:[。！？；!?;]+|\.(?=\s|$))[”’\"'）)」』】]*"
                           r"|(?<=\S)[ \u00a0\u3000]*(?:\t|[ \u00a0]{3}|\u3000{2})\s*(?=\S)")


@dataclass(frozen=True)
class Paragraph:
    id: str
    source: str
    number: int  # 1-based, reading order of the cleaned text
    section: str | None
    text: str
    start: int  # offsets into the document's cleaned text
    end: int
    page: int | None = None  # PDF page the paragraph starts on (citations say 第N页 第M段)

    def sentences(self) -> list[tuple[int, int]]:
        return split_sentences(self.text)


@dataclass
class Document:
    source: str
    sha256: str
    title: str | None
    byline: list[str]
    summary: str | None
    text: str  # the cleaned text: title, headings and paragraphs separated by blank lines
    paragraphs: list[Paragraph] = field(default_factory=list)
    date: str | None = None  # YYYY-MM-DD, when the format says
    format: str = ""  # "utf-8"/"gb18030" for text, else "html", "docx", "pdf"


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) spans of sentences/clauses, without surrounding whitespace; together they cover the text."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in _SENTENCE_END.finditer(text):
        spans.append((pos, m.end()))
        pos = m.end()
    if pos < len(text):
        spans.append((pos, len(text)))
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


def paragraph_id(source: str, number: int, text: str) -> str:
    return hashlib.sha1(f"{source}\x00{number}\x00{text}".encode()).hexdigest()[:16]


FOOTNOTE = re.compile(r"\[(\d{1,3})\]")


def build_document(raw: RawFile) -> Document:
    if raw.blocks is not None:  # a structured format already told headings from paragraphs (formats.py)
        title, byline, summary = raw.title, [], None
        blocks = [(kind, text, page) for kind, text, page in raw.blocks]
    else:
        cleaned = clean(raw.text)
        title, byline, summary = cleaned.title, cleaned.byline, cleaned.summary
        blocks = [(kind, text, None) for kind, text in cleaned.blocks]
    # A source's own footnote marks ("…增长12%[3]") must never look like the answer's citation markers.
    blocks = [(kind, FOOTNOTE.sub(r"〔\1〕", text), page) for kind, text, page in blocks]
    parts: list[str] = []
    pos = 0

    def put(s: str) -> tuple[int, int]:
        nonlocal pos
        if parts:
            pos += 2  # the blank line between blocks
        parts.append(s)
        start = pos
        pos += len(s)
        return start, pos

    if title:
        put(title)
    doc = Document(raw.name, raw.sha256, title, byline, summary, "", date=raw.date, format=raw.encoding)
    section = None
    for kind, text, page in blocks:
        start, end = put(text)
        if kind == "heading":
            section = text
            continue
        n = len(doc.paragraphs) + 1
        doc.paragraphs.append(Paragraph(paragraph_id(raw.name, n, text), raw.name, n, section, text, start, end, page))
    doc.text = "\n\n".join(parts)
    return doc


@dataclass(frozen=True)
class Chunk:
    """What gets embedded: a paragraph, or a piece of one too long for the embedder. It cites its paragraph."""
    id: str
    paragraph: Paragraph
    start: int  # offsets into the paragraph's text
    end: int

    @property
    def text(self) -> str:
        return self.paragraph.text[self.start:self.end]

    def indexed_text(self) -> str:
        """The section heading gives short paragraphs their topic ("这些问题" under which heading?)."""
        head = self.paragraph.section or ""
        return f"{head}\n{self.text}" if head else self.text


def chunk_paragraph(p: Paragraph, count_tokens: Callable[[str], int], max_tokens: int = 500) -> list[Chunk]:
    if count_tokens(p.text) <= max_tokens:
        return [Chunk(p.id, p, 0, len(p.text))]
    pieces: list[tuple[int, int]] = []
    for s, e in split_sentences(p.text):
        if count_tokens(p.text[s:e]) <= max_tokens:
            pieces.append((s, e))
        else:  # one sentence longer than the embedder's window: cut it into windows of characters
            pieces.extend((a, min(e, a + 200)) for a in range(s, e, 200))
    chunks: list[Chunk] = []
    cur: tuple[int, int] | None = None
    for s, e in pieces:
        if cur and count_tokens(p.text[cur[0]:e]) > max_tokens:
            chunks.append(Chunk(f"{p.id}-{len(chunks)}", p, *cur))
            cur = None
        cur = (cur[0] if cur else s, e)
    if cur:
        chunks.append(Chunk(f"{p.id}-{len(chunks)}", p, *cur))
    return chunks
