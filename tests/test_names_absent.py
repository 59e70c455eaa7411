"""The judge's names_absent signal: the names a question gives that the paragraphs of its best sentences never name
(a passage on a neighbouring event or person) — with the real jieba tagger."""
from __future__ import annotations

from assistant.answering.judge import Sentence, names_absent
from assistant.index.tokens import get_tokenizer
from assistant.ingest.document import Paragraph


class Plain:
    """A lexicon whose paragraphs illustrate nothing (names_absent reads only the paragraphs and their headings)."""

    def illustrated(self, p):
        return None


def best(*texts: str, section: str | None = None) -> list[Sentence]:
    return [Sentence(Paragraph(f"p{i}", "news.txt", i, section, t, 0, len(t)), 0, len(t), 1.0, 1.0, 1.0)
            for i, t in enumerate(texts, 1)]


def test_a_name_the_answer_paragraphs_never_give_counts_and_a_given_one_does_not():
    words, lexicon = get_tokenizer(), Plain()
    question = "2023年马德里大师赛张之臻成绩？"
    on_another = best("2023年法国网球公开赛男单第二轮，张之臻战胜对手，首度打进32强。")
    on_it = best("张之臻在马德里大师赛闯进8强，追平个人最佳。")
    assert names_absent(question, on_another, words, lexicon) > 0
    assert names_absent(question, on_it, words, lexicon) == 0.0
    assert names_absent("巡视组哪天进驻？", on_it, words, lexicon) == 0.0  # a question giving no name
    # the heading of the paragraph a sentence comes from names it too
    assert names_absent(question, best("张之臻闯进8强。", section="马德里大师赛"), words, lexicon) == 0.0
