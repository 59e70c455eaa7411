"""The index: records what built it, is built when missing, rebuilt when stale or broken, never mixed."""
import json
import shutil

import pytest
from conftest import REPORT

from assistant.config import load_config
from assistant.errors import IndexStoreError
from assistant.index.embedder import Embedder
from assistant.index.store import MARKER, Store
from assistant.index.tokens import get_tokenizer
from assistant.ingest.pipeline import build_index, ensure_index


@pytest.fixture
def setup(tmp_path, embedder):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(REPORT, data / "report.txt")
    config = load_config(overrides={"data_dir": str(data), "index_dir": str(tmp_path / "index")})
    notes = []
    return config, embedder, get_tokenizer(), notes


def _open(config, embedder, tokenizer, notes):
    return ensure_index(config, embedder, tokenizer, notes.append)


def test_missing_index_is_built_with_a_notice_and_records_what_built_it(setup):
    config, embedder, tok, notes = setup
    store = _open(*setup)
    assert len(notes) == 2 and "索引不存在" in notes[0] and "31 个段落" in notes[1]
    m = store.manifest
    assert m["embedder"] == Embedder.name and m["dim"] == 384 and m["chunking"] and m["tokenizer"]
    assert list(m["sources"]) == ["report.txt"] and len(m["sources"]["report.txt"]) == 64
    assert len(store.chunks()) == 31
    docs = store.documents()
    assert docs[0].metadata["title"].startswith("聚焦脱贫攻坚")
    notes.clear()
    _open(*setup)
    assert notes == [], "a current index opens silently"


def test_changed_added_or_removed_report_rebuilds(setup):
    config, embedder, tok, notes = setup
    _open(*setup)
    data = setup[0].data_dir
    with open(f"{data}/report.txt", "a", encoding="utf-8") as f:
        f.write("\n新增的一段文字，说明报告已经更新。\n")
    notes.clear()
    store = _open(*setup)
    assert "已过期" in notes[0] and "report.txt" in notes[0]
    assert any("报告已经更新" in r.text for r in store.chunks())
    shutil.copy(REPORT, f"{data}/second.txt")
    notes.clear()
    store = _open(*setup)
    assert "second.txt" in notes[0] and len(store.manifest["sources"]) == 2
    assert len(store.chunks()) == 31 + 32, "both reports, no leftovers"


def test_index_from_another_embedder_or_chunking_is_rebuilt_not_mixed(setup):
    config, embedder, tok, notes = setup
    store = _open(*setup)
    index = store.path
    store.close()
    manifest = json.loads((index / MARKER).read_text())
    import chromadb  # edit the recorded manifest as another version of the app would have written it
    from chromadb.config import Settings

    client = chromadb.PersistentClient(str(index), settings=Settings(anonymized_telemetry=False))
    col = client.get_collection("paragraphs")
    col.modify(metadata={"manifest": json.dumps({**manifest, "embedder": "other-model", "dim": 768})})
    del col, client
    notes.clear()
    store = _open(*setup)
    assert "另一个嵌入模型" in notes[0]
    assert store.manifest["embedder"] == Embedder.name


def test_corrupted_or_emptied_index_directory_is_rebuilt(setup):
    config, embedder, tok, notes = setup
    store = _open(*setup)
    store.close()
    (store.path / "chroma.sqlite3").write_bytes(b"this is not a database" * 100)
    notes.clear()
    store = _open(*setup)
    assert "无法读取" in notes[0]
    assert len(store.chunks()) == 31
    store.close()
    for child in store.path.iterdir():
        if child.name != MARKER:
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    notes.clear()
    assert len(_open(*setup).chunks()) == 31 and notes


def test_a_failed_build_leaves_the_previous_index_answering(setup):
    config, embedder, tok, notes = setup
    store = _open(*setup)
    before = sorted(r.id for r in store.chunks())

    class Broken:
        name, dim = embedder.name, embedder.dim
        count_tokens = staticmethod(embedder.count_tokens)

        def passages(self, texts):
            raise RuntimeError("killed mid-way")

    with pytest.raises(RuntimeError):
        build_index([store.path.parent / "data"], store.path, Broken(), tok)
    assert sorted(r.id for r in Store.open(store.path).chunks()) == before
    assert not [p for p in store.path.parent.iterdir() if ".building-" in p.name], "no half-built leftovers"


def test_refuses_to_overwrite_a_folder_it_did_not_build(tmp_path, embedder):
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("precious")
    with pytest.raises(IndexStoreError, match="not an index"):
        build_index([REPORT], foreign, embedder, get_tokenizer())
    assert (foreign / "notes.txt").read_text() == "precious"


def test_doctor_checks_the_configured_index_embedded_or_server(report_config, assistant, embedder):
    from dataclasses import replace

    from assistant.doctor import check_index
    from assistant.index.tokens import get_tokenizer

    ok = check_index(report_config, embedder, get_tokenizer())
    assert ok.ok and str(report_config.index_dir) in ok.detail
    away = replace(report_config, chroma_url="http://127.0.0.1:9", chroma_timeout=2.0)  # nothing listens there
    check = check_index(away, embedder, get_tokenizer())
    assert not check.ok and "127.0.0.1:9" in check.detail
