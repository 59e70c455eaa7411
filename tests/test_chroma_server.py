"""Chroma server mode: a real `chroma run` on 127.0.0.1 holds the index; everything behaves as embedded, and a server
that goes away (or stops answering) mid-session gives a clear IndexStoreError, not a hang."""
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPORT, ROOT

from assistant.config import load_config
from assistant.errors import IndexStoreError
from assistant.index.store import Location, Store
from assistant.index.tokens import get_tokenizer
from assistant.ingest.pipeline import update_index

CHROMA = Path(sys.executable).with_name("chroma")
pytestmark = pytest.mark.skipif(not CHROMA.exists(), reason="the chroma CLI is not in this venv")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _port_owner(port: int) -> int | None:
    """The pid listening on 127.0.0.1:PORT (the `chroma` script may not be the process that owns the socket)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            f = line.split()
            if int(f[1].rsplit(":", 1)[1], 16) == port and f[3] == "0A":  # LISTEN
                inodes.add(f[9])
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                if os.readlink(f"/proc/{pid}/fd/{fd}").strip("socket:[]") in inodes:
                    return int(pid)
        except OSError:
            continue
    return None


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


class ChromaServer:
    def __init__(self, path: Path):
        self.path, self.port = path, _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen([str(CHROMA), "run", "--path", str(path), "--host", "127.0.0.1", "--port",
                                      str(self.port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     env={**os.environ, "ANONYMIZED_TELEMETRY": "False"})
        deadline = time.monotonic() + 60
        while not _port_open(self.port):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"chroma run did not start on port {self.port}")
            time.sleep(0.2)

    def stop(self) -> None:
        owner = _port_owner(self.port)
        for pid in {owner, self.proc.pid} - {None}:
            try:
                os.kill(pid, signal.SIGCONT)
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        deadline = time.monotonic() + 15
        while _port_open(self.port) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _port_open(self.port), f"port {self.port} still in use after stopping the server"


@pytest.fixture
def server(tmp_path):
    s = ChromaServer(tmp_path / "chroma")
    yield s
    s.stop()


@pytest.fixture
def data(tmp_path):
    d = tmp_path / "data"
    d.mkdir()
    shutil.copy(REPORT, d / "report.txt")
    return d


def _collections(url: str) -> set[str]:
    import chromadb

    host, port = url.rsplit(":", 1)
    client = chromadb.HttpClient(host=host.split("//")[1], port=int(port))
    return {c if isinstance(c, str) else c.name for c in client.list_collections()}


def test_the_assistant_answers_from_a_chroma_server(server, data, tmp_path, embedder):
    from assistant.answering.assistant import Assistant

    config = load_config(overrides={"data_dir": str(data), "index_dir": str(tmp_path / "local"),
                                    "chroma_url": server.url, "chroma_collection": "reports"})
    notes = []
    a = Assistant.from_config(config, notify=notes.append, embedder=embedder)
    assert "索引不存在" in notes[0] or "无法读取" in notes[0] or "构建" in notes[0]
    ans = a.ask("巡视组从哪天开始进驻？")
    assert "2018年10月17日" in ans.answer and ans.citations[0].paragraph == 2
    assert not (tmp_path / "local" / "chroma.sqlite3").exists(), "nothing was written to the embedded store"
    notes.clear()
    Assistant.from_config(config, notify=notes.append, embedder=embedder)
    assert notes == [], "a current index on the server opens silently"
    r = subprocess.run([sys.executable, "-m", "assistant", "sources", "--chroma-url", server.url,
                        "--chroma-collection", "reports", "--index-dir", str(tmp_path / "local")],
                       capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert r.returncode == 0 and r.stdout.startswith("report.txt\t聚焦脱贫攻坚") and "31 段" in r.stdout, r.stderr


def test_updates_rebuilds_and_an_interrupted_update_on_the_server(server, data, tmp_path, embedder):
    loc = Location(tmp_path / "local", server.url, "idx", 10.0)
    tok = get_tokenizer()
    update_index([data], loc, embedder, tok)
    first = _collections(server.url)
    assert len(first) == 3 and "idx-current" in first
    (data / "extra.txt").write_text("补充材料\n\n有的地方被指出农村饮水安全工程管护责任落实不到位，群众反映强烈。\n",
                                    encoding="utf-8")
    rep = update_index([data], loc, embedder, tok)
    assert rep.embedded == 1 and rep.unchanged == 1 and _collections(server.url) == first, "updated in place"
    assert len(Store.open(loc).chunks()) == 32

    class DiesMidway:  # the real embedder until the first batch is stored, then the process "dies"
        name, dim = embedder.name, embedder.dim
        count_tokens = staticmethod(embedder.count_tokens)

        def passages(self, texts, batch=16):
            raise KeyboardInterrupt

    (data / "extra.txt").write_text("补充材料\n\n有的地方被指出农村饮水安全工程建设标准偏低，部分设施年久失修。\n",
                                    encoding="utf-8")
    with pytest.raises(KeyboardInterrupt):
        update_index([data], loc, DiesMidway(), tok)
    store = Store.open(loc)
    assert len(store.chunks()) == 32 and any("管护责任" in r.text for r in store.chunks()), "previous index intact"
    update_index([data], loc, embedder, tok)
    texts = [r.text for r in Store.open(loc).chunks()]
    assert len(texts) == 32 and any("年久失修" in t for t in texts) and not any("管护责任" in t for t in texts)

    update_index([data], loc, embedder, tok, rebuild=True)
    rebuilt = _collections(server.url)
    assert len(rebuilt) == 3 and rebuilt != first, "a rebuild writes new collections and drops the old ones"
    assert len(Store.open(loc).chunks()) == 32


def test_a_running_assistant_follows_updates_and_rebuilds_on_the_server(server, data, tmp_path, embedder):
    from assistant.answering.assistant import Assistant
    from assistant.serving.live import LiveAssistant

    config = load_config(overrides={"data_dir": str(data), "index_dir": str(tmp_path / "local"),
                                    "chroma_url": server.url, "chroma_collection": "live"})
    a = Assistant.from_config(config, notify=lambda m: None, embedder=embedder)
    now = [0.0]
    live = LiveAssistant(a, clock=lambda: now[0])
    assert live.interval == 2.0 and live.current() is a
    (data / "extra.txt").write_text("补充材料\n\n某县新建的光伏电站装机容量为五十兆瓦。\n", encoding="utf-8")
    update_index([data], Location(tmp_path / "local", server.url, "live", 10.0), embedder, get_tokenizer())
    assert live.current() is a, "the server is asked at most every 2 s"
    now[0] += 2.0
    updated = live.current()
    assert updated is not a and "extra.txt" in updated.retriever.sources
    assert updated.ask("光伏电站的装机容量是多少？").citations[0].source == "extra.txt"
    update_index([data], Location(tmp_path / "local", server.url, "live", 10.0), embedder, get_tokenizer(),
                 rebuild=True)  # new collections, the old ones dropped
    now[0] += 2.0
    rebuilt = live.current()
    assert rebuilt is not updated and rebuilt.ask("巡视组从哪天开始进驻？").citations[0].paragraph == 2


def test_a_server_that_goes_away_gives_a_clear_error_not_a_hang(server, data, tmp_path, embedder):
    from assistant.answering.assistant import Assistant

    config = load_config(overrides={"data_dir": str(data), "index_dir": str(tmp_path / "local"),
                                    "chroma_url": server.url, "chroma_timeout": 3.0})
    a = Assistant.from_config(config, notify=lambda m: None, embedder=embedder)
    a.ask("巡视组从哪天开始进驻？")
    owner = _port_owner(server.port)
    os.kill(owner, signal.SIGSTOP)  # alive but not answering: the worst case for a client without timeouts
    try:
        t = time.monotonic()
        with pytest.raises(IndexStoreError, match="does not answer"):
            a.ask("水利扶贫方面有什么问题？")
        assert time.monotonic() - t < 20
    finally:
        os.kill(owner, signal.SIGCONT)
    server.stop()
    with pytest.raises(IndexStoreError, match=f"Chroma server at {server.url} does not answer"):
        a.ask("水利扶贫方面有什么问题？")
    with pytest.raises(IndexStoreError, match="does not answer"):
        Store.open(Location(tmp_path / "local", server.url))
    r = subprocess.run([sys.executable, "-m", "assistant", "ask", "水利扶贫方面有什么问题？", "--chroma-url", server.url,
                        "--data-dir", str(data), "--index-dir", str(tmp_path / "local")],
                       capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert r.returncode == 2 and "does not answer" in r.stderr and "Traceback" not in r.stderr
