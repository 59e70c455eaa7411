"""Paragraphs as the citation unit: numbering, offsets, stable ids, sentences, chunks."""
import dataclasses

from conftest import REPORT

from assistant.ingest.document import build_document, chunk_paragraph, split_sentences
from assistant.ingest.reader import RawFile


def _doc(text, name="r.txt"):
    return build_document(RawFile(None, name, text, "utf-8", "0" * 64))


def test_numbers_offsets_and_sections():
    doc = _doc(REPORT.read_text(encoding="utf-8"), REPORT.name)
    assert [p.number for p in doc.paragraphs] == list(range(1, len(doc.paragraphs) + 1))
    assert len(doc.paragraphs) == 31
    for p in doc.paragraphs:
        assert doc.text[p.start:p.end] == p.text
        assert p.source == REPORT.name
    assert doc.text.startswith(doc.title)


def test_ids_are_stable_across_reingest_and_change_with_text():
    text = REPORT.read_text(encoding="utf-8")
    a, b = _doc(text), _doc(text)
    assert [p.id for p in a.paragraphs] == [p.id for p in b.paragraphs]
    assert len({p.id for p in a.paragraphs}) == len(a.paragraphs)
    changed = _doc(text.replace("15个中央巡视组", "16个中央巡视组"))
    diff = [x.number for x, y in zip(a.paragraphs, changed.paragraphs) if x.id != y.id]
    assert diff == [2]
    assert [p.id for p in _doc(text, "other.txt").paragraphs] != [p.id for p in a.paragraphs]


def test_sentences_split_on_chinese_and_ascii_terminators():
    text = "第一句。第二句；第三句！第四句？“引号里的话。”之后;ASCII semicolon; 3.5亿元不拆开. End"
    parts = [text[s:e] for s, e in split_sentences(text)]
    assert parts == ["第一句。", "第二句；", "第三句！", "第四句？", "“引号里的话。”", "之后;", "ASCII semicolon;",
                     "3.5亿元不拆开.", "End"]
    assert "".join(parts).replace(" ", "") == text.replace(" ", "")


def test_a_layout_gap_ends_a_sentence_that_has_no_punctuation():
    # web pages scraped to text: a fragment, then a summary box; table cells apart by tabs; 　　 indenting a paragraph
    text = "可惜处理器是       摘要：上次入网了一台手机。年龄：32\t世界排名：71 \u3000\u3000此次宣誓仪式有很多细节。a  b"
    parts = [text[s:e] for s, e in split_sentences(text)]
    assert parts == ["可惜处理器是", "摘要：上次入网了一台手机。", "年龄：32", "世界排名：71", "此次宣誓仪式有很多细节。", "a  b"]


def test_long_paragraph_is_chunked_and_chunks_cite_it():
    doc = _doc("标题\n\n" + "这是一个很长的句子，用来测试分块。" * 60)
    p = doc.paragraphs[0]
    chunks = chunk_paragraph(p, count_tokens=len, max_tokens=100)
    assert len(chunks) > 1
    assert all(c.paragraph is p and len(c.text) <= 100 for c in chunks)
    assert "".join(c.text for c in chunks) == p.text
    assert len({c.id for c in chunks}) == len(chunks)
    one_sentence = dataclasses.replace(p, text="无标点" * 300)
    pieces = chunk_paragraph(one_sentence, count_tokens=len, max_tokens=250)
    assert "".join(c.text for c in pieces) == one_sentence.text and all(len(c.text) <= 250 for c in pieces)


def test_a_sources_own_footnote_marks_never_look_like_citation_markers():
    from assistant.ingest.document import build_document
    from assistant.ingest.reader import RawFile

    from pathlib import Path

    raw = RawFile(Path("n.txt"), "n.txt", "标题\n\n全年旅客吞吐量增长12%[3]，创历史新高。\n", "utf-8", "0" * 64)
    (p,) = build_document(raw).paragraphs
    assert "[3]" not in p.text and "12%〔3〕" in p.text
