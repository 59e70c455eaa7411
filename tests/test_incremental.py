"""Incremental ingest: unchanged files embed nothing, a changed file replaces exactly its own paragraphs, a deleted
file's paragraphs go, --rebuild starts clean. Embedder calls are counted with a real Embedder subclass."""
import shutil

import pytest
from conftest import REPORT

from assistant.answering.retrieve import Query, Retriever
from assistant.index.embedder import Embedder
from assistant.index.store import Store
from assistant.index.tokens import get_tokenizer
from assistant.ingest.pipeline import update_index

EXTRA = """关于农村饮水安全的补充说明

一、总体情况

今年共完成农村饮水安全巩固提升工程一百二十处，受益人口约八万人。

部分山区的水源保障能力仍然不足，旱季供水不稳定。

二、下一步安排

将继续加大投入，力争明年实现集中供水全覆盖。
"""


class CountingEmbedder(Embedder):
    """The real embedder, counting the passages it is asked to embed."""

    def __init__(self):
        super().__init__(1)
        self.embedded = 0

    def passages(self, texts, batch=16):
        self.embedded += len(texts)
        return super().passages(texts, batch)


@pytest.fixture(scope="module")
def counting():
    return CountingEmbedder()


@pytest.fixture
def corpus(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(REPORT, data / "report.txt")
    (data / "water.md").write_text(EXTRA, encoding="utf-8")
    return data, tmp_path / "index"


def _ids(index, source):
    return sorted(r.id for r in Store.open(index).chunks() if r.metadata["source"] == source)


def test_unchanged_changed_deleted_and_rebuild(corpus, counting):
    data, index = corpus
    tok = get_tokenizer()
    counting.embedded = 0
    first = update_index([data], index, counting, tok)
    assert counting.embedded == first.embedded == 31 + 3 and first.paragraphs == 34 and first.files == 2
    report_ids = _ids(index, "report.txt")

    counting.embedded = 0
    again = update_index([data], index, counting, tok)
    assert counting.embedded == 0 and again.unchanged == 2 and again.paragraphs == 34

    # change one paragraph of water.md and add one: only those two are embedded
    (data / "water.md").write_text(EXTRA.replace("约八万人", "约九万人") + "\n同时建立农村供水工程长效管护机制，明确管护责任主体。\n",
                                   encoding="utf-8")
    counting.embedded = 0
    changed = update_index([data], index, counting, tok)
    assert counting.embedded == 2 and changed.reused == 2 and changed.changed == ["water.md"]
    assert _ids(index, "report.txt") == report_ids, "the other file's records are untouched"
    store = Store.open(index)
    water = [r for r in store.chunks() if r.metadata["source"] == "water.md"]
    assert len(water) == 4 and not any("约八万人" in r.text for r in water), "old paragraphs replaced"
    assert len(store.chunks()) == 35 and len(store.documents()) == 2
    got = {r.id: r.metadata for r in store.documents()}["water.md"]
    assert got["paragraphs"] == 4 and got["title"] == "关于农村饮水安全的补充说明"
    hit = Retriever(store, counting, tok).search(Query("长效管护机制"), 1)[0]
    assert (hit.paragraph.source, hit.paragraph.number) == ("water.md", 4)

    (data / "water.md").unlink()
    counting.embedded = 0
    removed = update_index([data], index, counting, tok)
    assert counting.embedded == 0 and removed.removed == ["water.md"]
    store = Store.open(index)
    assert {r.metadata["source"] for r in store.chunks()} == {"report.txt"} and len(store.chunks()) == 31
    assert [r.id for r in store.documents()] == ["report.txt"]
    assert Retriever(store, counting, tok).search(Query("长效管护机制"), 1)[0].paragraph.source == "report.txt"

    counting.embedded = 0
    rebuilt = update_index([data], index, counting, tok, rebuild=True)
    assert counting.embedded == 31 and rebuilt.paragraphs == 31


def test_bm25_is_persisted_with_the_index_and_follows_updates(corpus, counting):
    from assistant.answering.calibration import BM25_B
    from assistant.index import bm25 as bm25_store

    data, index = corpus
    tok = get_tokenizer()
    update_index([data], index, counting, tok)
    store = Store.open(index)
    loaded = bm25_store.load(store.location.bm25_dir, store.generation, BM25_B)
    assert loaded is not None and len(loaded[1]) == 34
    (data / "water.md").unlink()
    update_index([data], index, counting, tok)
    store = Store.open(index)
    assert bm25_store.load(store.location.bm25_dir, store.generation, BM25_B)[1].__len__() == 31
    retriever = Retriever(store, counting, tok)  # opened from the persisted table, same answers as rebuilt
    fresh_table, tokens = bm25_store.rows(store.chunks())
    assert [p.id for p in retriever.paragraphs] == list(dict.fromkeys(r["pid"] for r in fresh_table))
    assert retriever.search(Query("交通扶贫存在什么问题？"), 1)[0].paragraph.number == 22


def test_an_unreadable_file_is_remembered_not_retried_every_start(corpus, counting):
    data, index = corpus
    (data / "broken.docx").write_bytes(b"not a docx")
    tok = get_tokenizer()
    first = update_index([data], index, counting, tok)
    assert any(m.startswith("broken.docx") for m in first.skipped)
    from assistant.ingest.pipeline import source_hashes, why_rebuild

    assert why_rebuild(Store.open(index), counting, tok, source_hashes([data])) is None


def test_progress_bar_shows_rate_and_time_left_only_on_a_terminal():
    import io

    from assistant.ingest.progress import ProgressBar

    bar = ProgressBar(io.StringIO(), force=True)
    assert bar.line(50, 200, 10.0).endswith("50/200 段 5.0 段/秒 剩余 00:30")
    assert "剩余 --:--" in bar.line(0, 200, 0.0)
    quiet = io.StringIO()
    ProgressBar(quiet)(10, 20)  # a StringIO is not a terminal
    assert quiet.getvalue() == ""


def test_sources_command_lists_what_is_indexed(corpus, counting):
    import json
    import subprocess
    import sys

    from conftest import ROOT

    data, index = corpus
    update_index([data], index, counting, get_tokenizer())
    r = subprocess.run([sys.executable, "-m", "assistant", "sources", "--json", "--index-dir", str(index)],
                       capture_output=True, text=True, cwd=ROOT, timeout=120)
    rows = json.loads(r.stdout)
    assert [(x["source"], x["paragraphs"], x["format"]) for x in rows] == [("report.txt", 31, "utf-8"),
                                                                           ("water.md", 3, "utf-8")]
    assert rows[1]["title"] == "关于农村饮水安全的补充说明" and len(rows[0]["sha"]) == 64 and rows[0]["indexed"]


def test_identical_passages_are_embedded_once(tmp_path, counting):
    """Two copies of a file in one build, and a third copy added later, cost the embeddings of one."""
    data = tmp_path / "data"
    data.mkdir()
    for name in ("a.md", "b.md"):
        (data / name).write_text(EXTRA, encoding="utf-8")
    tok = get_tokenizer()
    counting.embedded = 0
    first = update_index([data], tmp_path / "index", counting, tok)
    assert first.paragraphs == 6 and counting.embedded == first.embedded == 3
    (data / "c.md").write_text(EXTRA, encoding="utf-8")
    counting.embedded = 0
    later = update_index([data], tmp_path / "index", counting, tok)
    assert later.changed == ["c.md"] and counting.embedded == 0
    store = Store.open(tmp_path / "index")
    assert sorted({r.metadata["source"] for r in store.chunks()}) == ["a.md", "b.md", "c.md"]
    assert len(store.chunks()) == 9
