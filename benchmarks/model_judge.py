"""Would the local model, as an answerability judge beside the fitted decision, refuse more unanswerable questions?

    .venv/bin/python benchmarks/model_judge.py     # ~7 min on 2 cores; writes benchmarks/results/model_judge.md

The measurement behind careful mode (assistant/answering/model_judge.py), not part of the default path. On the
TRAIN rows the fit uses (scripts/fit_calibration.py), it scores the question against the best-ranked sentences
with the local Qwen2.5-Coder-1.5B GGUF (scripts/get-model.sh): logit("是") − logit("否") after a ChatML prompt
asking whether that text answers the question (careful mode's own prompt and code). Then it cross-validates the same logistic decision
(same folds, seed and penalty grid as the fit) on the judge's signals alone, the model's score alone, and both, and
reports AUC and the share of unanswerable questions refused at 5 % and 10 % false refusal. The test split is never
read. Skips cleanly when the model or llama-cpp-python is absent.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
MODEL = ROOT / "models" / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
OUT = ROOT / "benchmarks" / "results" / "model_judge.md"


def main() -> int:
    import tempfile

    import fit_calibration as fc

    from assistant.answering.assistant import Assistant
    from assistant.answering.model_judge import PASSAGE_CHARS
    from assistant.backends import BackendError
    from assistant.backends.llamacpp import LlamaCppBackend
    from assistant.config import load_config

    model = LlamaCppBackend(load_config(overrides={"llamacpp_model": str(MODEL)}))
    try:
        model.check()
    except BackendError as e:
        print(f"model judge benchmark skipped: {e.reason}")
        return 0

    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        config = load_config(overrides={"data_dir": str(ROOT / "data"), "index_dir": str(Path(tmp) / "index")})
        assistant = Assistant.from_config(config, notify=lambda m: None)
        names, x, y, kept = fc.collect(assistant, fc.train_rows(), model)  # the fit's rows, with careful's score
        assistant.store.close()
    seconds = time.perf_counter() - t0

    lines = ["# The local model as an answerability judge (train split, cross-validated)", "",
             f"{len(kept)} train rows reaching the judge ({int(y.sum())} answerable, {int((1 - y).sum())} not); "
             f"{seconds / max(1, len(kept)):.2f} s per question for retrieval plus one model judgment on 2 cores "
             f"(the three best-ranked sentences, at most {PASSAGE_CHARS} characters; the prompt is careful mode's, "
             "assistant/answering/model_judge.py). Folds, seed and penalty grid are the fit's.", "",
             "| decision | CV AUC | unanswerable refused at 5 % false refusal | at 10 % |", "|---|---|---|---|"]
    signals = [n for n in names if n != "model"]
    for label, columns in (("judge signals (the default path)", signals), ("model score alone", ["model"]),
                           ("judge signals + model score (careful mode)", names)):
        idx = [names.index(n) for n in columns]
        _, report, _ = fc.fit_decision(columns, x[:, idx], y, kept)
        cv = report["cross_validated"]
        at = cv["unanswerable_refused_at_false_refusal"]
        lines.append(f"| {label} | {cv['auc']:.3f} | {at['0.05']:.3f} | {at['0.1']:.3f} |")
    lines += ["", "Reproduce: `.venv/bin/python benchmarks/model_judge.py` (needs `scripts/get-model.sh` and "
              "llama-cpp-python, which `scripts/test.sh` installs). `scripts/fit_calibration.py --careful` fits the "
              "last row into careful mode's decision."]
    out = "\n".join(lines) + "\n"
    print(out)
    OUT.write_text(out, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
