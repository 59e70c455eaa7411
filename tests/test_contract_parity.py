"""One question, four front ends (Python, CLI --json, /api/ask, /v1/chat/completions): the same citations."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import httpx
import pytest
from live_server import server  # noqa: F401  (fixture)

QUESTIONS = ["巡视组从哪天开始进驻？", "这次专项巡视一共派出了多少个巡视组？"]


def key(citations: list[dict]) -> list[tuple]:
    return [(c["n"], c["source"], c["paragraph"], c["quote"]) for c in citations]


@pytest.mark.parametrize("question", QUESTIONS)
def test_same_citations_everywhere(question, assistant, report_config, server):
    python = assistant.ask(question).to_dict()
    assert python["citations"], "the parity question must be answerable"
    cli = subprocess.run(
        [sys.executable, "-m", "assistant", "ask", "--json", "--data-dir", report_config.data_dir,
         "--index-dir", report_config.index_dir, question],
        capture_output=True, text=True, timeout=180, env={**os.environ, "ASSISTANT_DEBUG": "1"})
    assert cli.returncode == 0, cli.stderr
    api = httpx.post(server.url + "/api/ask", json={"question": question}, timeout=60).json()
    chat = httpx.post(server.url + "/v1/chat/completions", timeout=60,
                      json={"messages": [{"role": "user", "content": question}]}).json()
    expected = key(python["citations"])
    assert key(json.loads(cli.stdout)["citations"]) == expected
    assert key(api["citations"]) == expected
    assert key(chat["choices"][0]["message"]["citations"]) == expected
    assert api["answer"] == python["answer"] == json.loads(cli.stdout)["answer"]
