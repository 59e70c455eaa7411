"""Every number that decides an answer, in one place: what it trades off and how it was chosen.

The numbers marked "by hand" were set in earlier sessions against the dev set; the answerability work replaces
them with values fitted by ``scripts/fit_calibration.py`` on the train split of our own question set.
"""
from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

FITTED = Path(__file__).with_name("calibration.json")  # written by scripts/fit_calibration.py

# --- retrieval (answering/retrieve.py) ---
BM25_WEIGHT = 0.5  # default of fitted("bm25_weight"): the share of the fused score that is BM25 (the rest dense,
# both scaled to [0, 1]); scripts/fit_calibration.py picks it by train hit@3 (then MRR) over a grid.
BM25_B = 0.3  # by hand. BM25 length normalisation: short paragraphs (headings, one-liners) are not favoured much.
CONTEXT_WEIGHT = 0.35  # by hand. How much the previous question still counts when a follow-up is retrieved.
EXAMPLE_SHARE = 0.9  # by hand. A "比如,…" paragraph is (almost) as relevant as the claim it illustrates.
SECTION_BONUS = {"refers": 0.3, "elliptic": 0.1}  # by hand. A follow-up stays near where the conversation was.
HEADING_MATCH = 0.2  # by hand. A question naming a section's topic ("组织建设方面…") prefers that section.

# --- is it answered? (answering/judge.py) ---
# A logistic decision over judge.signals(), fitted on the train split of tests/data/questions*.jsonl; its
# threshold is the one that, in cross-validation, refuses the most unanswerable questions while refusing at most
# 5% of answerable ones (calibration.json says what the fit saw).
SENTENCE_RATIO = 0.55  # by hand. A further sentence joins the answer when it scores this share of the best one.
NO_WORDS_PARAGRAPHS = 2  # by hand. With no word of the question found, quote this many paragraphs' best sentences.
MAX_PARAGRAPHS = 3  # by hand. Paragraphs whose sentences may be quoted: more finds more, but drifts off topic.

# --- answer shapes (answering/shape.py, answering/compose.py) ---
# fitted("generic_share"): a word in at least this share of a report's paragraphs names no part of it, so a summary
# question made of such words gets the overview; chosen by scripts/fit_calibration.py on the train split.
LIST_CAP = 8  # by hand, a reading choice. Items a list answer shows before 「另有 N 项」.
LIST_RATIO = 0.75  # by hand. A paragraph of the best one's section joins a list when it scores this share of it.

# --- model answers (answering/assistant.py, answering/citations.py) ---
# A model's "not in the passages" is overruled only above Decision.model_threshold (fitted); a model's answer is
# on topic when it is as close in meaning to the question as the least relevant retrieved paragraph (no number).
SUPPORT_MIN = 0.5  # by hand. Share of a cited sentence's content words its paragraph must contain to support it.


@dataclass(frozen=True)
class Decision:
    """P(the report answers the question) = sigmoid(bias + sum(weight * standardised signal))."""
    weights: dict[str, float] = field(default_factory=dict)
    mean: dict[str, float] = field(default_factory=dict)
    scale: dict[str, float] = field(default_factory=dict)
    bias: float = 0.0
    threshold: float = 0.5
    model_threshold: float = 0.5  # with a model backend: below this the model's "not in the passages" stands
    model: str = ""  # careful decision only: the GGUF file whose "model" score it was fitted on

    def probability(self, signals: dict[str, float]) -> float:
        z = self.bias + sum(w * (signals.get(k, 0.0) - self.mean.get(k, 0.0)) / (self.scale.get(k, 1.0) or 1.0)
                            for k, w in self.weights.items())
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    @classmethod
    def load(cls, name: str = "answerable") -> "Decision | None":
        """The fitted decision NAME: "answerable" (the default, one report searched; unfitted, every question with
        evidence is answered), "several" (several reports searched; None until fitted), "careful" (signals +
        the local model's score; None until fitted with --careful) or "careful_several" (careful mode's, several
        reports searched)."""
        d = fitted(name, None)
        if not d:
            return cls() if name == "answerable" else None
        return cls(d["weights"], d["mean"], d["scale"], d["bias"], d["threshold"],
                   d.get("model_threshold", d["threshold"]), d.get("model", ""))


@functools.lru_cache(maxsize=1)
def _fitted() -> dict:
    try:
        return json.loads(FITTED.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def fitted(name: str, default):
    """A value scripts/fit_calibration.py wrote into calibration.json (DEFAULT before the first fit)."""
    return _fitted().get(name, default)
