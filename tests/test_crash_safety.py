"""An ingest killed at any moment leaves the previous index answering, and the next ingest completes the work.
Two ingests at once don't corrupt the index: the second one is refused with the pid of the first."""
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time

import pytest
from conftest import REPORT, ROOT

from assistant.answering.assistant import Assistant
from assistant.config import load_config
from assistant.index.store import Store
from assistant.index.tokens import get_tokenizer
from assistant.ingest.lock import IndexLock
from assistant.ingest.pipeline import update_index


def _variant(n: int) -> str:
    """The report with its numbers changed and every paragraph marked as this draft's: realistic text, and every
    paragraph new (identical passages are embedded once, so a variant that shared most of them would be indexed
    before it could be killed)."""
    rng = random.Random(n)
    text = re.sub(r"\d+", lambda m: str(rng.randint(1, 999)), REPORT.read_text(encoding="utf-8"))
    return "\n".join(line + f"（修订稿{n}）" if line.strip() else line for line in text.splitlines())


def _ingest(data, index, *extra):
    return subprocess.Popen([sys.executable, "-m", "assistant", "ingest", str(data), "--index-dir", str(index),
                             "--quiet", *extra], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, "ASSISTANT_EMBED_THREADS": "1"})


@pytest.fixture
def built(tmp_path, embedder):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(REPORT, data / "report.txt")
    index = tmp_path / "index"
    update_index([data], index, embedder, get_tokenizer())
    return data, index


def _answers(data, index, embedder):
    config = load_config(overrides={"data_dir": str(data), "index_dir": str(index)})
    store = Store.open(index)
    from assistant import backends
    from assistant.answering.retrieve import Retriever

    a = Assistant(config, store=store, retriever=Retriever(store, embedder, get_tokenizer()),
                  backend=backends.create("extractive", config), tokenizer=get_tokenizer())
    ans = a.ask("巡视组从哪天开始进驻？")
    return "2018年10月17日" in ans.answer and ans.citations[0].paragraph == 2 and ans.citations[0].source == "report.txt"


@pytest.mark.slow
@pytest.mark.parametrize("when", ["while embedding", "just after it starts writing"])
def test_a_killed_ingest_leaves_the_previous_index_and_the_next_one_completes(built, embedder, when):
    data, index = built
    before = sorted(r.id for r in Store.open(index).chunks())
    for n in range(3):
        (data / f"variant-{n}.txt").write_text(_variant(n), encoding="utf-8")
    proc = _ingest(data, index)
    deadline = time.monotonic() + 120
    while not list(index.parent.glob(".index.building-*")) and time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    time.sleep(1.5 if when == "while embedding" else 0.0)
    assert proc.poll() is None, "the ingest finished before it could be killed: make the corpus bigger"
    proc.send_signal(signal.SIGKILL)
    proc.wait()

    assert sorted(r.id for r in Store.open(index).chunks()) == before, "the previous index is intact"
    assert _answers(data, index, embedder)
    report = update_index([data], index, embedder, get_tokenizer())  # the lock of the dead process is taken over
    sources = {r.metadata["source"] for r in Store.open(index).chunks()}
    assert report.files == 4 and sources == {"report.txt", "variant-0.txt", "variant-1.txt", "variant-2.txt"}
    assert not list(index.parent.glob(".index.building-*")), "leftovers of the killed ingest are gone"
    assert _answers(data, index, embedder)


def test_a_second_ingest_is_refused_while_one_runs(built):
    data, index = built
    with IndexLock(index):
        proc = _ingest(data, index, "--rebuild")
        out, err = proc.communicate(timeout=120)
    assert proc.returncode == 2 and f"another ingest is running (pid {os.getpid()})" in err, err
    assert "Traceback" not in err


def test_a_stale_lock_of_a_dead_process_is_taken_over(built, embedder):
    data, index = built
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    IndexLock(index).path.write_text(f"{dead.pid}\n")
    (data / "variant-0.txt").write_text(_variant(0), encoding="utf-8")
    assert update_index([data], index, embedder, get_tokenizer()).files == 2


@pytest.mark.slow
def test_two_ingests_at_once_one_runs_one_is_refused(built, embedder):
    data, index = built
    (data / "variant-0.txt").write_text(_variant(0), encoding="utf-8")
    procs = [_ingest(data, index), _ingest(data, index)]
    results = [p.communicate(timeout=300) + (p.returncode,) for p in procs]
    codes = sorted(r[2] for r in results)
    assert codes == [0, 2], results
    refused = next(r for r in results if r[2] == 2)
    assert "another ingest is running (pid" in refused[1]
    assert len(Store.open(index).documents()) == 2 and _answers(data, index, embedder)


def test_a_swap_interrupted_between_its_two_renames_loses_nothing(built, embedder):
    data, index = built
    before = sorted(r.id for r in Store.open(index).chunks())
    aside = index.with_name(f".{index.name}.old-12345-1")
    index.rename(aside)  # where a kill between "move the old index aside" and "move the new one in" leaves it
    assert sorted(r.id for r in Store.open(index).chunks()) == before and _answers(data, index, embedder)
    (data / "variant-0.txt").write_text(_variant(0), encoding="utf-8")
    assert update_index([data], index, embedder, get_tokenizer()).files == 2
    assert not aside.exists() and len(Store.open(index).documents()) == 2
