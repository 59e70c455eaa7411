"""Which text should careful mode's model read? Evidence and prompt variants on the TRAIN rows, cross-validated.

    .venv/bin/python benchmarks/judge_prompts.py para,sents,two,contains   # ~5 min a variant on 2 cores

For each variant the local model scores every train row that reaches the judge (logit 是 − 否), and the fit's
cross-validation (scripts/fit_calibration.py: folds, seed, penalty grid) is run on the model score alone and on the
judge's signals plus it. Variants: ``para`` the best paragraph's first 400 characters; ``sents`` the three
best-ranked sentences (careful mode's choice, answering/model_judge.py); ``two`` the two best paragraphs, 250
characters each; ``contains`` the paragraph with a "does it contain the answer" wording. The test split is never
read. Results of the run that chose ``sents``: benchmarks/results/judge_prompts.md.
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
MODEL = ROOT / "models" / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
ASK = "仅根据这个段落，能回答这个问题吗？只回答“是”或“否”。"


def user_turn(variant: str, question: str, hits, sentences) -> str:
    from assistant.answering.model_judge import evidence, prompt

    if variant == "para":
        return prompt(question, hits[0].paragraph.text)
    if variant == "sents":
        return prompt(question, evidence(sentences))
    if variant == "two":
        text = "\n".join(f"[{i + 1}] {h.paragraph.text[:250]}" for i, h in enumerate(hits[:2]))
        return f"资料：\n{text}\n\n问题：{question}\n\n仅根据这些资料，能回答这个问题吗？只回答“是”或“否”。"
    if variant == "contains":
        return (f"段落：{hits[0].paragraph.text[:400]}\n\n问题：{question}\n\n"
                "这个段落里有没有这个问题的答案？有答案回答“是”，没有回答“否”。")
    raise SystemExit(f"unknown variant {variant!r} (para, sents, two, contains)")


def main() -> int:
    import numpy as np

    import fit_calibration as fc

    from assistant.answering.assistant import Assistant
    from assistant.answering.judge import rank_sentences
    from assistant.backends import BackendError
    from assistant.backends.llamacpp import LlamaCppBackend
    from assistant.config import load_config

    variants = (sys.argv[1] if len(sys.argv) > 1 else "para,sents").split(",")
    model = LlamaCppBackend(load_config(overrides={"llamacpp_model": str(MODEL)}))
    try:
        model.check()
    except BackendError as e:
        print(f"judge prompt benchmark skipped: {e.reason}")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        config = load_config(overrides={"data_dir": str(ROOT / "data"), "index_dir": str(Path(tmp) / "index")})
        a = Assistant.from_config(config, notify=lambda m: None)
        names, x, y, kept = fc.collect(a, fc.train_rows())
        cases = []
        for r in kept:
            prep = a._prepare(r["question"], r.get("history") or None, None, a.backend)
            cases.append((prep.query.text, prep.hits,
                          rank_sentences(prep.query, prep.hits, a.tokenizer, a.retriever.scope(None))))
        print("| evidence | model alone: CV AUC | with the signals: CV AUC | unanswerable refused at 5 % / 10 % "
              "false refusal | s a question |\n|---|---|---|---|---|")
        for v in variants:
            t0 = time.perf_counter()
            s = np.array([model.yes_no(user_turn(v, q, hits, sents)) for q, hits, sents in cases])[:, None]
            secs = (time.perf_counter() - t0) / len(cases)
            alone = fc.fit_decision(["model"], s, y, kept)[1]["cross_validated"]
            both = fc.fit_decision(names + ["model"], np.hstack([x, s]), y, kept)[1]["cross_validated"]
            at = both["unanswerable_refused_at_false_refusal"]
            print(f"| {v} | {alone['auc']:.3f} | {both['auc']:.3f} | {at['0.05']:.3f} / {at['0.1']:.3f} | "
                  f"{secs:.2f} |", flush=True)
        a.store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
