"""Scale corpora for benchmarks/scale.py: report-like paragraphs recombined from the real report's sentences.

Sentences of data/*.txt are recombined 2-5 to a paragraph, with their numbers varied and place names swapped, under
section headings every few paragraphs, 100 paragraphs to a file. Corpora are prefixes of one sequence of files, so
the 1k corpus is inside the 10k one and one embedding cache serves every size.

Embedding cache: ``embed`` runs the real embedder over every paragraph's indexed text (what ingest embeds) and
stores the vectors by the text's hash, timing the embedder alone. The ingest benchmark can then replay them.
"""
from __future__ import annotations

import hashlib
import json
import random
import re
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PER_FILE = 100
PLACES = ("河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽", "福建", "江西", "山东", "河南",
          "湖北", "湖南", "广东", "广西", "海南", "重庆", "四川", "贵州", "云南", "西藏", "陕西", "甘肃", "青海", "宁夏",
          "新疆", "大同市", "赣州市", "毕节市", "定西市", "凉山州", "临夏州", "百色市", "昭通市", "商洛市", "六盘水市")
HEADINGS = ("存在的主要问题", "整改落实情况", "下一步工作安排", "巡视反馈意见", "产业扶贫", "交通扶贫", "水利扶贫",
            "教育扶贫", "健康扶贫", "易地扶贫搬迁", "资金使用管理", "作风建设", "基层党建", "干部队伍建设")
_PLACE = re.compile("|".join(sorted(PLACES, key=len, reverse=True)))
_NUM = re.compile(r"\d+")


def sentences() -> list[str]:
    from assistant.ingest.document import build_document
    from assistant.ingest.reader import read_file

    out = []
    for f in sorted((ROOT / "data").glob("*.txt")):
        for p in build_document(read_file(f)).paragraphs:
            out.extend(p.text[s:e] for s, e in p.sentences() if e - s >= 8)
    return out


def _vary(s: str, rng: random.Random) -> str:
    s = _NUM.sub(lambda m: str(rng.randint(1, 10 ** min(4, len(m.group())))), s)
    return _PLACE.sub(lambda m: rng.choice(PLACES), s)


def write_corpus(dest: Path, paragraphs: int, seed: int = 6) -> list[Path]:
    """Files of PER_FILE paragraphs each; the same seed gives the same files, so corpora nest."""
    pool = sentences()
    dest.mkdir(parents=True, exist_ok=True)
    files = []
    for n in range((paragraphs + PER_FILE - 1) // PER_FILE):
        path = dest / f"report-{n:05d}.txt"
        files.append(path)
        if path.exists():
            continue
        rng = random.Random(seed * 1_000_003 + n)
        lines = [f"{rng.choice(PLACES)}{rng.choice(HEADINGS)}情况通报（第{n + 1}期）", ""]
        for i in range(min(PER_FILE, paragraphs - n * PER_FILE)):
            if i % 8 == 0:
                lines += [f"{'一二三四五六七八九十'[i // 8 % 10]}、{rng.choice(HEADINGS)}", ""]
            body = "".join(_vary(rng.choice(pool), rng) for _ in range(rng.randint(2, 5)))
            lines += [body if body[-1] in "。！？；" else body + "。", ""]
        tmp = path.with_suffix(".tmp")
        tmp.write_text("\n".join(lines), encoding="utf-8")
        tmp.rename(path)
    return files


def key(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


def embed_cache(files: list[Path], cache: Path) -> None:
    """Embed every file's texts with the real embedder, one .npz per file, logging the embedder's own rate."""
    from assistant.index.embedder import Embedder
    from assistant.ingest.document import build_document, chunk_paragraph
    from assistant.ingest.reader import read_file

    cache.mkdir(parents=True, exist_ok=True)
    emb = Embedder(1)
    log = cache / "embed-log.jsonl"
    for f in files:
        out = cache / f"{f.stem}.npz"
        if out.exists():
            continue
        texts = [c.indexed_text() for p in build_document(read_file(f)).paragraphs
                 for c in chunk_paragraph(p, emb.count_tokens)]
        t = time.perf_counter()
        vecs = emb.passages(texts)
        dt = time.perf_counter() - t
        np.savez(out.with_suffix(".tmp.npz"), keys=np.array([key(x) for x in texts]), vecs=vecs)
        out.with_suffix(".tmp.npz").rename(out)
        with log.open("a") as fh:
            fh.write(json.dumps({"file": f.name, "texts": len(texts), "seconds": round(dt, 3)}) + "\n")


def load_cache(cache: Path) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for f in sorted(cache.glob("report-*.npz")):
        z = np.load(f)
        out.update(zip(z["keys"].tolist(), z["vecs"]))
    return out


if __name__ == "__main__":  # python benchmarks/scale_corpus.py WORKDIR PARAGRAPHS: write files, fill the cache
    work, n = Path(sys.argv[1]), int(sys.argv[2])
    embed_cache(write_corpus(work / "corpus", n), work / "vectors")
