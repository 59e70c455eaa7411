"""Fit the numbers that decide whether (and in which shape) a question is answered, on the TRAIN split only.

    .venv/bin/python scripts/fit_calibration.py            # writes assistant/answering/calibration.json
    .venv/bin/python scripts/fit_calibration.py --careful  # and careful mode's decision (needs the local model)

What it fits (see assistant/answering/calibration.py):
- "answerable": a logistic regression over judge.signals() (standardised, L2), trained on the train rows of
  tests/data/questions.jsonl, questions_train_extra.jsonl and offtopic.jsonl that reach the judge: the decision
  when one report is searched. Its threshold is picked on 5-fold cross-validated probabilities: the highest one
  that refuses at most TARGET_FALSE_REFUSAL of the answerable questions (so it refuses as many unanswerable ones as
  that allows).
- "several": the same over those rows and — when ../shared/rgb/ is there — RGB questions 51-150 (news text the
  report never saw: each question over 5 passages that hold its answer amid 0, 2 or 4 noise passages, answerable,
  and over 5 passages on the same topic without the answer, not; one index per passage set, as benchmarks/rgb.py
  asks; its first 50, which rgb.py reports, stay out of the fit): the decision when several reports compete for a
  question, where passages on the topic that do not answer it are the rule. Its threshold refuses at most
  TARGET_FALSE_REFUSAL of each kind of text's answerable questions (the "several_reports" weight moves each kind
  to its own operating point).
  ``model_threshold``: above it a
  model backend's "the passages don't say" is overruled (at least 95% of the questions scoring that high are
  answerable).
- "careful" (with --careful): the same fit over the signals plus the local model's "model" score (careful mode,
  assistant/answering/model_judge.py), recording the model file; without --careful a previous one is kept.
- "careful_several" (with --careful, when ../shared/rgb/ is there): careful mode's decision when several reports
  compete, fitted as "several" is (the report's rows beside RGB's 51-150) with the model's score among the signals.
- "bm25_weight": the BM25 share of the fused retrieval score, by train hit@3 (then MRR) over a grid; fitted first,
  since the judge's signals depend on what retrieval finds.
- "generic_share": the paragraph share above which a word names no part of the report (overview questions),
  chosen from a grid by accuracy on the train rows that read as overview requests.
The cross-validated numbers are written beside the fit and printed; the test split is never read.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FILES = [ROOT / "tests" / "data" / "questions.jsonl", ROOT / "tests" / "data" / "questions_train_extra.jsonl",
         ROOT / "tests" / "data" / "offtopic.jsonl"]
TARGET_FALSE_REFUSAL = 0.05
SURE = 0.95  # model_threshold: above it at least this share of (cross-validated) questions is answerable
L2_GRID = (0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0)  # the penalty is chosen by cross-validated AUC
FOLDS = 5
SEED = 20261201
RGB_TRAIN = slice(50, 150)  # benchmarks/rgb.py --limit 50 reports the first 50: they are never fitted on
RGB_RATES = (0.0, 0.4, 0.8, 1.0)  # noise rates: below 1 the answer is in the set (amid 0, 2 or 4 noise passages)
SHARES = (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4)
WEIGHTS = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)


def train_rows() -> list[dict]:
    rows = []
    for f in FILES:
        rows += [json.loads(line) for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if r.get("split") == "train"]


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float, steps: int = 50) -> tuple[np.ndarray, float]:
    """Newton's method on the L2-penalised log-likelihood (the bias is not penalised)."""
    n, d = x.shape
    xb = np.hstack([x, np.ones((n, 1))])
    w = np.zeros(d + 1)
    penalty = np.full(d + 1, l2)
    penalty[-1] = 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-np.clip(xb @ w, -30, 30)))
        grad = xb.T @ (p - y) + penalty * w
        hess = (xb * (p * (1 - p))[:, None]).T @ xb + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w[:-1], float(w[-1])


def predict(x: np.ndarray, w: np.ndarray, b: float) -> np.ndarray:
    return 1 / (1 + np.exp(-np.clip(x @ w + b, -30, 30)))


def auc(p: np.ndarray, y: np.ndarray) -> float:
    pos, neg = p[y == 1], p[y == 0]
    if not len(pos) or not len(neg):
        return float("nan")
    return float(((pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum())
                 / (len(pos) * len(neg)))


def threshold_for(p: np.ndarray, y: np.ndarray, max_false_refusal: float) -> float:
    """The highest threshold refusing at most MAX_FALSE_REFUSAL of the answerable (y == 1) rows."""
    pos = np.sort(p[y == 1])
    allowed = int(math.floor(max_false_refusal * len(pos)))
    return float(pos[allowed]) if len(pos) else 0.5


def sure_above(p: np.ndarray, y: np.ndarray, precision: float) -> float:
    """The lowest threshold above which at least PRECISION of the rows are answerable (the decision is "sure")."""
    order = np.argsort(-p)
    answerable = np.cumsum(y[order]) / np.arange(1, len(y) + 1)
    ok = np.flatnonzero(answerable >= precision)  # the most questions from the top that are still that precise
    return float(p[order[ok[-1]]]) if len(ok) else 1.0


def folds(y: np.ndarray, k: int, seed: int) -> np.ndarray:
    """A fold number per row, stratified by label."""
    rng = np.random.default_rng(seed)
    out = np.zeros(len(y), dtype=int)
    for label in (0, 1):
        idx = np.flatnonzero(y == label)
        rng.shuffle(idx)
        out[idx] = np.arange(len(idx)) % k
    return out


def cross_validated(z: np.ndarray, y: np.ndarray) -> tuple[float, dict[float, np.ndarray]]:
    """Out-of-fold probabilities for each penalty in L2_GRID (stratified FOLDS, SEED) and the penalty with the best
    AUC among them."""
    fold = folds(y, FOLDS, SEED)
    by_l2 = {}
    for l2 in L2_GRID:
        oof = np.zeros(len(y))
        for k in range(FOLDS):
            w, b = fit_logistic(z[fold != k], y[fold != k], l2)
            oof[fold == k] = predict(z[fold == k], w, b)
        by_l2[l2] = oof
    return max(L2_GRID, key=lambda v: auc(by_l2[v], y)), by_l2


def collect(assistant, rows: list[dict], model=None) -> tuple[list[str], np.ndarray, np.ndarray, list[dict]]:
    """The judge's signals for every train row that reaches it, and whether it is answerable. With MODEL (a
    backend with ``yes_no``), also careful mode's "model" score of the question against the best sentences."""
    from assistant.answering.judge import rank_sentences
    from assistant.answering.model_judge import evidence, prompt

    feats, labels, kept = [], [], []
    for r in rows:
        prep = assistant._prepare(r["question"], r.get("history") or None, None, assistant.backend)
        if prep.reading.intent != "question" or prep.assessment.shape == "overview" or not prep.assessment.signals:
            continue
        found = dict(prep.assessment.signals)
        if model is not None:
            ranked = rank_sentences(prep.query, prep.hits, assistant.tokenizer, assistant.retriever.scope(None))
            found["model"] = model.yes_no(prompt(prep.query.text, evidence(ranked)))  # as judge.assess asks
        feats.append(found)
        labels.append(1.0 if r.get("answerable", True) else 0.0)
        kept.append(r)
    if not feats:
        return [], np.zeros((0, 0)), np.zeros(0), []
    names = sorted(feats[0])
    return names, np.array([[f[n] for n in names] for f in feats]), np.array(labels), kept


def rgb_rows(model=None) -> tuple[list[str], np.ndarray, np.ndarray, list[dict]] | None:
    """collect() over RGB_TRAIN (with MODEL's score too, when given): each question asked of a fresh index over its
    passage set at each of RGB_RATES — answerable below 1, unanswerable at 1 (negative passages only). None when
    ../shared/rgb/ is absent."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import rgb

    from assistant.index.embedder import Embedder

    if not rgb.RGB.is_file():
        return None
    embedder = Embedder(1)
    feats = []
    with tempfile.TemporaryDirectory() as tmp:
        for item in rgb.load_items()[RGB_TRAIN]:
            for rate in RGB_RATES:
                assistant, _ = rgb.assistant_over(rgb.passage_set(item, rate), Path(tmp) / "set", embedder)
                row = {"question": item["query"], "answerable": rate < 1, "split": "train",
                       "type": "rgb_negative" if rate == 1 else f"rgb_noise_{rate:g}"}
                feats.append(collect(assistant, [row], model))
                assistant.store.close()
    feats = [f for f in feats if f[3]]  # those refused before the judge weigh nothing
    return (feats[0][0], np.vstack([f[1] for f in feats]), np.concatenate([f[2] for f in feats]),
            [f[3][0] for f in feats])


def text_kind(row: dict) -> str:
    """Which kind of text a train row asks of: "news" (RGB passage sets) or "report" (the report in data/)."""
    return "news" if row.get("type", "").startswith("rgb") else "report"


def fit_decision(names: list[str], x: np.ndarray, y: np.ndarray, kept: list[dict]) -> tuple[dict, dict, dict]:
    """The logistic decision over the columns NAMES of X (standardised, penalty by cross-validated AUC), its
    threshold for TARGET_FALSE_REFUSAL within each kind of text (text_kind) and sure point on out-of-fold
    probabilities, and what cross-validation saw."""
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    z = (x - mean) / scale
    l2, by_l2 = cross_validated(z, y)
    oof = by_l2[l2]
    kinds = np.array([text_kind(r) for r in kept])

    def threshold_at(fr: float) -> float:
        return min(threshold_for(oof[kinds == k], y[kinds == k], fr) for k in sorted(set(kinds)))

    threshold = threshold_at(TARGET_FALSE_REFUSAL)
    # with the signal that says several reports compete, each kind of text gets its own operating point: its
    # weight moves by the log-odds between the kinds' thresholds, so one threshold refuses TARGET_FALSE_REFUSAL of
    # each kind's answerable questions
    shift = 0.0
    if "several_reports" in names and len(set(kinds)) > 1:
        several = x[:, names.index("several_reports")] == 1

        def logit(p: float) -> float:
            return math.log(p / (1 - p))

        shift = logit(threshold_for(oof[~several], y[~several], TARGET_FALSE_REFUSAL)) - logit(
            threshold_for(oof[several], y[several], TARGET_FALSE_REFUSAL))
        odds = np.log(np.clip(oof, 1e-9, 1 - 1e-9) / np.clip(1 - oof, 1e-9, 1))
        oof = 1 / (1 + np.exp(-(odds + shift * several)))
        threshold = threshold_at(TARGET_FALSE_REFUSAL)
    high = sure_above(oof, y, SURE)
    w, b = fit_logistic(z, y, l2)
    if shift:  # x = 1 moves by SHIFT in log-odds, x = 0 not at all
        col = names.index("several_reports")
        w[col] += shift * scale[col]
        b += shift * mean[col]
    refused = oof < threshold
    cv = {"auc": round(auc(oof, y), 3),
          "false_refusal": round(float(refused[y == 1].mean()), 3),
          "unanswerable_refused": round(float(refused[y == 0].mean()), 3),
          "answerable": int(y.sum()), "unanswerable": int((1 - y).sum()),
          "unanswerable_refused_at_false_refusal": {
              str(fr): round(float((oof[y == 0] < threshold_at(fr)).mean()), 3) for fr in (0.05, 0.1, 0.15, 0.2)},
          "by_text": {k: {"auc": round(auc(oof[kinds == k], y[kinds == k]), 3),
                          "false_refusal": round(float(refused[(kinds == k) & (y == 1)].mean()), 3),
                          "unanswerable_refused": round(float(refused[(kinds == k) & (y == 0)].mean()), 3)}
                      for k in sorted(set(kinds))}}
    by_type: dict[str, dict[str, int]] = {}
    for r, ref in zip(kept, refused):
        t = by_type.setdefault(r.get("type", "?"), {"n": 0, "refused": 0})
        t["n"] += 1
        t["refused"] += int(ref)
    decision = {"weights": dict(zip(names, map(float, w))), "bias": b,
                "mean": dict(zip(names, map(float, mean))), "scale": dict(zip(names, map(float, scale))),
                "threshold": threshold, "model_threshold": max(high, threshold)}
    return decision, {"l2": l2, "auc_by_l2": {str(k): round(auc(v, y), 3) for k, v in by_l2.items()},
                      "cross_validated": cv}, by_type


def fit_generic_share(assistant, rows: list[dict]) -> tuple[float, dict]:
    from assistant.answering import shape

    titles = [assistant.retriever.title(s) for s in assistant.retriever.sources]
    candidates = []
    for r in rows:
        reading = assistant._understand(r["question"])
        if reading.intent == "question" and reading.shape == "overview" and not r.get("history"):
            candidates.append((reading, r.get("type") == "overview"))
    scores = {}
    for share in SHARES:
        right = sum((not shape.specific_words(rd.text, assistant.retriever.paragraphs, assistant.tokenizer, share,
                                              titles)) == truth for rd, truth in candidates)
        scores[share] = right / max(1, len(candidates))
    best = max(SHARES, key=lambda s: (scores[s], -abs(s - 0.2)))
    return best, {"rows": len(candidates), "accuracy_by_share": scores}


def fit_bm25_weight(assistant, rows: list[dict]) -> tuple[float, dict]:
    """The BM25 share of the fused retrieval score with the best train hit@3 (then MRR) over WEIGHTS."""
    from assistant.answering.evaluate import norm

    asked = []
    for r in rows:
        if not r.get("answerable", True) or not r.get("gold"):
            continue
        prep = assistant._prepare(r["question"], r.get("history") or None, None, assistant.backend)
        if prep.reading.intent == "question" and prep.assessment.shape != "overview":
            asked.append((prep.query, [norm(g) for g in r["gold"]]))
    scores = {}
    for w in WEIGHTS:
        assistant.retriever.bm25_weight = w
        hit3 = rr = 0.0
        for query, gold in asked:
            hits = assistant.retriever.search(query, 5)
            rank = next((i for i, h in enumerate(hits) if any(g in norm(h.paragraph.text) for g in gold)), None)
            hit3 += rank is not None and rank < 3
            rr += 1 / (rank + 1) if rank is not None else 0.0
        scores[w] = (round(hit3 / len(asked), 4), round(rr / len(asked), 4))
    best = max(WEIGHTS, key=lambda w: scores[w])
    assistant.retriever.bm25_weight = best
    return best, {"rows": len(asked), "hit@3_mrr_by_weight": {str(k): v for k, v in scores.items()}}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(ROOT / "assistant" / "answering" / "calibration.json"))
    ap.add_argument("--careful", action="store_true",
                    help="also fit careful mode's decision with the local model (llamacpp_model; ~7 min on 2 cores)")
    args = ap.parse_args()

    from assistant.answering import calibration
    from assistant.answering.assistant import Assistant
    from assistant.backends import BackendError
    from assistant.backends.llamacpp import LlamaCppBackend
    from assistant.config import load_config

    out = Path(args.out)
    try:
        previous = json.loads(out.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        previous = {}
    model = None
    if args.careful:
        model_path = Path(load_config().llamacpp_model)
        model = LlamaCppBackend(load_config(overrides={"llamacpp_model": str(
            model_path if model_path.is_absolute() else ROOT / model_path)}))
        try:
            model.check()
        except BackendError as e:
            print(f"--careful needs the local model: {e.reason}", file=sys.stderr)
            return 1
    out.write_text("{}", encoding="utf-8")  # fit from the unfitted pipeline: nothing earlier leaks in
    calibration._fitted.cache_clear()
    with tempfile.TemporaryDirectory() as tmp:
        config = load_config(overrides={"data_dir": str(ROOT / "data"), "index_dir": str(Path(tmp) / "index")})
        assistant = Assistant.from_config(config, notify=lambda m: None)
        rows = train_rows()
        weight, weight_report = fit_bm25_weight(assistant, rows)
        share, share_report = fit_generic_share(assistant, rows)
        out.write_text(json.dumps({"generic_share": share, "bm25_weight": weight}), encoding="utf-8")
        calibration._fitted.cache_clear()
        names, x, y, kept = collect(assistant, rows, model)
    base = [i for i, n in enumerate(names) if n != "model"]  # the default decision never sees the model
    answerable, cv, by_type = fit_decision([names[i] for i in base], x[:, base], y, kept)
    several = careful_several = None
    news = rgb_rows(model)  # with the model's score only for careful_several: "several" is the default's kind
    if news is not None:
        assert news[0] == names, "the RGB rows must weigh the same signals"
        xs, ys, kept_s = np.vstack([x, news[1]]), np.concatenate([y, news[2]]), kept + news[3]
        extra = {"rgb_rows": len(news[2]), "rgb_items": f"{RGB_TRAIN.start + 1}-{RGB_TRAIN.stop}"}
        decision, several_cv, several_by_type = fit_decision([names[i] for i in base], xs[:, base], ys, kept_s)
        several = decision, {**several_cv, "rows": len(ys), **extra, "cv_refused_by_type": several_by_type}
        if model is not None:
            decision, cv_s, by_type_s = fit_decision(names, xs, ys, kept_s)
            decision["model"] = model.path.name
            careful_several = decision, {**cv_s, "rows": len(ys), **extra, "cv_refused_by_type": by_type_s,
                                         "model": model.path.name}
    careful = None
    if model is not None:
        decision, careful_cv, careful_by_type = fit_decision(names, x, y, kept)
        decision["model"] = model.path.name
        careful = decision, {**careful_cv, "cv_refused_by_type": careful_by_type, "model": model.path.name}
    else:  # not refitted: kept while they weigh the same signals (each is fitted on its own)
        kept_fits = {}
        for name in ("careful", "careful_several"):
            if name not in previous:
                continue
            if set(previous[name]["weights"]) == {names[i] for i in base} | {"model"}:
                kept_fits[name] = previous[name], previous.get("fit", {}).get(name)
                print(f"{name} decision kept from the previous fit (refit it with --careful)")
            else:
                print(f"{name} decision dropped: the signals changed (refit it with --careful)")
        careful, careful_several = kept_fits.get("careful"), kept_fits.get("careful_several")
    fit = {"generic_share": share, "bm25_weight": weight, "answerable": answerable,
           "fit": {"rows": len(y), "files": [f.name for f in FILES], "split": "train", "folds": FOLDS, "seed": SEED,
                   "target_false_refusal": TARGET_FALSE_REFUSAL, **cv,
                   "cv_refused_by_type": by_type, "generic_share": share_report,
                   "bm25_weight": weight_report}}
    if careful is not None:
        fit["careful"], fit["fit"]["careful"] = careful
    if several is not None:
        fit["several"], fit["fit"]["several"] = several
    if careful_several is not None:
        fit["careful_several"], fit["fit"]["careful_several"] = careful_several
    out.write_text(json.dumps(fit, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(fit["fit"], ensure_ascii=False, indent=1))
    print("weights:", {k: round(v, 2) for k, v in fit["answerable"]["weights"].items()})
    if "several" in fit:
        print("several:", json.dumps(fit["fit"]["several"]["cross_validated"], ensure_ascii=False))
    for name in ("careful", "careful_several"):
        if name in fit:
            print(f"{name}:", json.dumps((fit["fit"].get(name) or {}).get("cross_validated"), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
