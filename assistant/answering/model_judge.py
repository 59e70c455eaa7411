"""Careful mode: the local model reads the best sentences against the question before the decision is taken.

The default decision (judge.py) weighs words and one embedding, which cannot tell a paragraph on the topic from one
that answers the question. With ``careful = true`` the in-process GGUF model (``llamacpp_model``) is asked whether
the best-ranked sentences answer the question; its score (logit 是 − logit 否, one forward pass, ~1.5 s on 2
cores) joins the signals in a second logistic decision, fitted like the first by ``scripts/fit_calibration.py
--careful`` on the train split with that model file. The fit records which file it was made with: a different
model's scores are on another scale, so careful mode then says so and the default decision answers.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from assistant.answering.calibration import Decision
from assistant.backends import BackendError

PASSAGE_CHARS = 400  # the most characters of evidence the model reads (the fit used the same)


def evidence(sentences: list) -> str:
    """What the model reads: the best-ranked sentences (what an answer would quote), in rank order. On the train
    split this separated better than the best paragraph's opening (model alone CV AUC 0.77 vs 0.74; with the
    signals, unanswerable refused at 5 % false refusal 0.65 vs 0.62) and than the two best paragraphs."""
    return "".join(s.text for s in sentences[:3])[:PASSAGE_CHARS]


def prompt(question: str, passage: str) -> str:
    return (f"段落：{passage[:PASSAGE_CHARS]}\n\n问题：{question}\n\n仅根据这个段落，能回答这个问题吗？"
            "只回答“是”或“否”。")


class ModelJudge:
    """Scores (question, evidence) with a model backend that has ``yes_no`` (backends/llamacpp.py), for the
    careful decision: DECISION when one report is searched, SEVERAL when several compete (fitted on news passage
    sets beside the report). ``score`` returns None, and tells why, when careful mode cannot run: not fitted (for
    this kind of search), fitted with another model file, or the model (or llama-cpp-python) missing or failing."""

    def __init__(self, model, decision: Decision | None, several: Decision | None = None):
        self.model, self.decision, self.several = model, decision, several
        self.problem: str | None = None
        current = Path(str(getattr(model, "path", ""))).name
        if decision is None:
            self.problem = "谨慎模式还没有拟合（scripts/fit_calibration.py --careful），按默认判定回答"
        elif decision.model and Path(decision.model).name != current:
            self.problem = f"谨慎模式是用 {Path(decision.model).name} 拟合的，当前模型是 {current}，按默认判定回答"
        elif several is not None and several.model != decision.model:
            self.several = None  # fitted at another time, with another file: its scores are on another scale

    def decision_for(self, several: bool) -> Decision | None:
        return self.several if several else self.decision

    def score(self, question: str, passage: str, tell: Callable[[str], None], several: bool = False) -> float | None:
        if self.problem is not None:
            tell(self.problem)
            return None
        if several and self.several is None:  # the one-report decision judges news passage sets worse than the default
            tell("谨慎模式还没有在多份报告上拟合（scripts/fit_calibration.py --careful，需要 ../shared/rgb/），"
                 "按默认判定回答")
            return None
        try:
            return self.model.yes_no(prompt(question, passage))
        except BackendError as e:  # not kept: a model downloaded meanwhile is used on the next question
            tell(f"谨慎模式不可用（{e.reason}），按默认判定回答")
            return None
