"""Would the local model, as an answerability judge beside the fitted decision, refuse more unanswerable questions?

    .venv/bin/python benchmarks/model_judge.py     # ~7 min on 2 cores; writes benchmarks/results/model_judge.md

A measurement for a possible "careful" mode, not part of the default path. On the TRAIN rows the fit uses
(scripts/fit_calibration.py), it scores the question against the best retrieved paragraph with the local
Qwen2.5-Coder-1.5B GGUF (scripts/get-model.sh): logit("是") − logit("否") after a ChatML prompt asking whether the
paragraph answers the question (../shared/MACHINE-FACTS.md). Then it cross-validates the same logistic decision
(same folds, seed and penalty grid as the fit) on the judge's signals alone, the model's score alone, and both, and
reports AUC and the share of unanswerable questions refused at 5 % and 10 % false refusal. The test split is never
read. Skips cleanly when the model or llama-cpp-python is absent.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
MODEL = ROOT / "models" / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
OUT = ROOT / "benchmarks" / "results" / "model_judge.md"
YES, NO = 20412, 32376  # the tokens 是 and 否 in Qwen2.5's vocabulary
PASSAGE_CHARS = 400


def main() -> int:
    try:
        from llama_cpp import Llama
    except ImportError:
        print("model judge benchmark skipped: llama-cpp-python is not installed (scripts/test.sh installs it)")
        return 0
    if not MODEL.is_file():
        print(f"model judge benchmark skipped: {MODEL} is missing (run scripts/get-model.sh)")
        return 0
    import tempfile

    import fit_calibration as fc

    from assistant.answering.assistant import Assistant
    from assistant.config import load_config

    llm = Llama(model_path=str(MODEL), n_ctx=2048, n_threads=2, verbose=False)

    def model_score(passage: str, question: str) -> float:
        prompt = (f"<|im_start|>user\n段落：{passage}\n\n问题：{question}\n\n仅根据这个段落，能回答这个问题吗？"
                  "只回答“是”或“否”。<|im_end|>\n<|im_start|>assistant\n")
        llm.reset()
        llm.eval(llm.tokenize(prompt.encode("utf-8"), special=True))
        logits = np.ctypeslib.as_array(llm._ctx.get_logits(), shape=(llm.n_vocab(),))
        return float(logits[YES] - logits[NO])

    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        config = load_config(overrides={"data_dir": str(ROOT / "data"), "index_dir": str(Path(tmp) / "index")})
        assistant = Assistant.from_config(config, notify=lambda m: None)
        _, signals, y, kept = fc.collect(assistant, fc.train_rows())  # the rows and signals the fit sees
        scores = []
        for r in kept:
            query = assistant._prepare(r["question"], r.get("history") or None, None, assistant.backend).query
            hits = assistant.retriever.search(query, 1)
            scores.append(model_score(hits[0].paragraph.text[:PASSAGE_CHARS], query.text) if hits else 0.0)
        assistant.store.close()
    seconds = time.perf_counter() - t0
    model = np.array(scores)[:, None]

    def cross_validated(x: np.ndarray) -> tuple[float, list[float]]:
        l2, by_l2 = fc.cross_validated((x - x.mean(0)) / (x.std(0) + 1e-9), y)
        oof = by_l2[l2]
        return fc.auc(oof, y), [float((oof[y == 0] < fc.threshold_for(oof, y, fr)).mean()) for fr in (0.05, 0.1)]

    lines = ["# The local model as an answerability judge (train split, cross-validated)", "",
             f"{len(kept)} train rows reaching the judge ({int(y.sum())} answerable, {int((1 - y).sum())} not); "
             f"{seconds / max(1, len(kept)):.2f} s per question for retrieval plus one model judgment on 2 cores "
             f"(best paragraph, first {PASSAGE_CHARS} characters). Folds, seed and penalty grid are the fit's.", "",
             "| decision | CV AUC | unanswerable refused at 5 % false refusal | at 10 % |", "|---|---|---|---|"]
    for label, x in (("judge signals (the default path)", signals), ("model score alone", model),
                     ("judge signals + model score", np.hstack([signals, model]))):
        auc, (at5, at10) = cross_validated(x)
        lines.append(f"| {label} | {auc:.3f} | {at5:.3f} | {at10:.3f} |")
    lines += ["", "Reproduce: `.venv/bin/python benchmarks/model_judge.py` (needs `scripts/get-model.sh` and "
              "llama-cpp-python, which `scripts/test.sh` installs)."]
    out = "\n".join(lines) + "\n"
    print(out)
    OUT.write_text(out, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
