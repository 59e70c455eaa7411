"""The real local model (Qwen2.5-Coder-1.5B-Instruct GGUF) answering through llamacpp, in-process.

Needs `scripts/get-model.sh` and `pip install 'llama-cpp-python==0.3.36'`; skipped with the reason otherwise.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from assistant import backends
from assistant.answering.assistant import Assistant

MODEL = Path(__file__).resolve().parent.parent / "models" / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not MODEL.is_file(), reason=f"{MODEL.name} missing: run scripts/get-model.sh"),
    pytest.mark.skipif(importlib.util.find_spec("llama_cpp") is None,
                       reason="llama-cpp-python missing: pip install 'llama-cpp-python==0.3.36'"),
]


@pytest.fixture(scope="module")
def real(assistant):
    cfg = assistant.config.replace(backend="llamacpp", llamacpp_model=str(MODEL), llm_temperature=0.0,
                                   llamacpp_context=2048, llm_timeout=120.0)
    return Assistant(cfg, store=assistant.store, retriever=assistant.retriever,
                     backend=backends.create("llamacpp", cfg), tokenizer=assistant.tokenizer)


def test_answerable_question_gets_a_verified_citation_from_the_model(real):
    ans = real.ask("巡视组从哪天开始进驻？")
    assert not ans.refused and ans.backend == "llamacpp", ans.notices
    assert "2018年10月17日" in ans.answer
    assert any(c.verified and c.paragraph == 2 for c in ans.citations), ans.to_dict()


def test_unanswerable_question_is_refused(real):
    ans = real.ask("这次巡视的巡视组组长是谁？")
    assert ans.refused and ans.citations == []


def test_the_model_as_judge_tells_an_answering_paragraph_from_one_on_the_topic(real):
    from assistant.answering.model_judge import prompt

    dated = real.paragraph(real.retriever.sources[0], 2).text  # when the teams arrived, how many, for how long
    yes = real.backend.yes_no(prompt("巡视组从哪天开始进驻？", dated))
    no = real.backend.yes_no(prompt("巡视组组长叫什么名字？", dated))
    assert yes > no


def test_careful_mode_consults_the_model_with_the_decision_fitted_for_it(real):
    from assistant.answering.calibration import Decision

    fitted = Decision.load("careful")
    if fitted is None or fitted.model != MODEL.name:
        pytest.skip("careful mode not fitted for this model: scripts/fit_calibration.py --careful")
    careful = Assistant(real.config.replace(backend="extractive", careful=True), store=real.store,
                        retriever=real.retriever, backend=backends.create("extractive", real.config),
                        tokenizer=real.tokenizer)
    careful._backends["llamacpp"] = real.backend  # the module's model, loaded once
    prep = careful._prepare("巡视组从哪天开始进驻？", None, None, careful.backend)
    assert "model" in prep.assessment.signals and prep.assessment.decision.model == MODEL.name
    ans = careful.ask("巡视组从哪天开始进驻？")
    assert not ans.refused and ans.citations[0].paragraph == 2 and not ans.notices
