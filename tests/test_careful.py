"""Careful mode: the local model's judgement of the best paragraph joins the fitted decision.

The model here is a real implementation of the judge interface (``yes_no``), one that reads by shared characters,
so the wiring is tested without llama.cpp; tests/test_real_model.py runs the GGUF model itself.
"""
from __future__ import annotations

import re

import pytest

from assistant import backends
from assistant.answering.assistant import Assistant
from assistant.answering.calibration import Decision
from assistant.answering.model_judge import ModelJudge, evidence, prompt
from assistant.backends import BackendError

ANSWERABLE = "巡视组从哪天开始进驻？"
ONLY_MODEL = Decision(weights={"model": 1.0}, mean={"model": 0.0}, scale={"model": 1.0}, threshold=0.5,
                      model_threshold=0.9, model="overlap.gguf")


class OverlapModel:
    """Answers 是 (positive score) when most of the question's characters are in the paragraph, else 否."""

    def __init__(self, path="overlap.gguf", fails=False):
        self.path, self.fails, self.prompts = path, fails, []

    def yes_no(self, user: str) -> float:
        self.prompts.append(user)
        if self.fails:
            raise BackendError("llamacpp", "模型文件 overlap.gguf 不存在")
        passage, question = re.match(r"段落：(.*)\n\n问题：(.*)\n\n", user, re.S).groups()
        chars = {c for c in question if "\u4e00" <= c <= "\u9fff"}
        return 10.0 * (len(chars & set(passage)) / max(1, len(chars)) - 0.5)


def careful(assistant, model, decision=ONLY_MODEL, several=None):
    cfg = assistant.config.replace(careful=True)
    a = Assistant(cfg, store=assistant.store, retriever=assistant.retriever,
                  backend=backends.create("extractive", cfg), tokenizer=assistant.tokenizer)
    a._judge = ModelJudge(model, decision, several)
    return a


def test_the_model_reads_the_best_sentences_against_the_question(assistant):
    model = OverlapModel()
    ans = careful(assistant, model).ask(ANSWERABLE)
    assert not ans.refused and ans.citations[0].paragraph == 2 and not ans.notices
    prep = assistant._prepare(ANSWERABLE, None, None, assistant.backend)  # the sentences an answer would quote
    assert model.prompts == [prompt(ANSWERABLE, evidence(prep.assessment.sentences))]
    assert "2018年10月17日" in model.prompts[0] and "只回答“是”或“否”" in model.prompts[0]
    assert len(model.prompts[0]) < 520  # bounded evidence


def test_the_models_no_refuses_what_the_default_decision_answers(assistant):
    class No(OverlapModel):
        def yes_no(self, user):
            super().yes_no(user)
            return -8.0

    q = "扶贫资金管理上有什么问题？"  # (a date question whose best sentence gives the date stays answered: a rule)
    assert not assistant.ask(q).refused
    ans = careful(assistant, No()).ask(q)
    assert ans.refused and ans.citations == [] and "没有找到" in ans.answer


def test_rules_still_refuse_before_the_model_is_asked(assistant):
    model = OverlapModel()
    ans = careful(assistant, model).ask("第三轮巡视发现了什么问题？")  # an ordinal the report never names
    assert ans.refused and model.prompts == []


def test_chit_chat_and_overviews_never_reach_the_model(assistant):
    model = OverlapModel()
    a = careful(assistant, model)
    assert not a.ask("你好").citations
    assert a.ask("请总结一下这份报告").citations
    assert model.prompts == []


@pytest.mark.parametrize("model, decision, says", [
    (OverlapModel(fails=True), ONLY_MODEL, "谨慎模式不可用（模型文件 overlap.gguf 不存在）"),
    (OverlapModel(path="other.gguf"), ONLY_MODEL, "谨慎模式是用 overlap.gguf 拟合的，当前模型是 other.gguf"),
    (OverlapModel(), None, "谨慎模式还没有拟合"),
])
def test_when_careful_mode_cannot_run_the_default_decision_answers_and_says_why(assistant, model, decision, says):
    plain = assistant.ask(ANSWERABLE)
    ans = careful(assistant, model, decision).ask(ANSWERABLE)
    assert ans.answer == plain.answer and ans.citations == plain.citations
    assert any(says in n and "按默认判定回答" in n for n in ans.notices), ans.notices


def test_careful_mode_with_no_model_installed_still_answers(assistant, tmp_path):
    """The setting alone, with no GGUF file: the real llamacpp backend says what is missing, nothing crashes."""
    cfg = assistant.config.replace(careful=True, llamacpp_model=str(tmp_path / "missing.gguf"))
    a = Assistant(cfg, store=assistant.store, retriever=assistant.retriever,
                  backend=backends.create("extractive", cfg), tokenizer=assistant.tokenizer,
                  decision=assistant.decision)
    ans = a.ask(ANSWERABLE)  # whatever calibration.json holds: not fitted, or fitted with another file
    assert not ans.refused and ans.citations[0].paragraph == 2
    assert any(n.startswith("谨慎模式") and "按默认判定回答" in n for n in ans.notices), ans.notices
    a._judge = ModelJudge(a.backend_for("llamacpp"), Decision(weights={"model": 1.0}, model="missing.gguf"))
    ans = a.ask(ANSWERABLE)  # fitted with this file name, but the file is not there
    assert not ans.refused and ans.citations[0].paragraph == 2
    assert any("谨慎模式不可用" in n for n in ans.notices), ans.notices


def test_the_careful_probability_decides_when_a_models_refusal_is_overruled(assistant):
    """A model backend's "not in the passages" is weighed against the decision that judged the question."""
    a = careful(assistant, OverlapModel())
    prep = a._prepare(ANSWERABLE, None, None, a.backend)
    assert prep.assessment.decision is ONLY_MODEL and prep.assessment.signals["model"] > 0


def test_doctor_says_whether_careful_mode_can_run(assistant, tmp_path):
    from assistant import doctor

    check = doctor.check_careful(assistant.config.replace(careful=True, llamacpp_model=str(tmp_path / "x.gguf")))
    assert not check.ok and check.fix  # not fitted, fitted with another file, or the file missing: each says so
    lines = []
    doctor.run(assistant.config.replace(careful=True, llamacpp_model=str(tmp_path / "x.gguf")), lines.append)
    assert any(line.startswith("✗ careful mode") for line in lines), lines


SEVERAL_Q = "农村公路建设存在什么问题？"  # the best paragraphs come from both reports of the `many` library


def test_several_reports_get_careful_modes_several_reports_decision(many):
    """Careful mode has its own decision when several reports compete (fitted on news passage sets): it judges
    there, the one-report careful decision where the question is kept to one report."""
    several = Decision(weights={"model": 2.0}, mean={"model": 0.0}, scale={"model": 1.0}, model="overlap.gguf")
    model = OverlapModel()
    a = careful(many, model, ONLY_MODEL, several)
    assert a._prepare(SEVERAL_Q, None, None, a.backend, None).assessment.decision is several
    assert a._prepare(SEVERAL_Q, None, None, a.backend, ["roads.html"]).assessment.decision is ONLY_MODEL
    assert len(model.prompts) == 2


@pytest.mark.parametrize("several", [None, Decision(weights={"model": 1.0}, model="other.gguf")])
def test_without_a_several_reports_careful_fit_the_default_several_decision_judges_and_says_why(many, several):
    """The one-report careful decision refused fewer of RGB's negative sets than the default several-reports
    decision (38 % vs 48 %): without its own fit (or with one made with another model file) careful mode steps
    aside there, and says so."""
    model = OverlapModel()
    a = careful(many, model, ONLY_MODEL, several)
    prep = a._prepare(SEVERAL_Q, None, None, a.backend, None)
    assert prep.assessment.decision == Decision.load("several") and model.prompts == []
    assert any("谨慎模式还没有在多份报告上拟合" in n and "按默认判定回答" in n for n in prep.notices), prep.notices
    plain = many.ask(SEVERAL_Q)
    ans = a.ask(SEVERAL_Q)
    assert (ans.answer, ans.refused) == (plain.answer, plain.refused)
