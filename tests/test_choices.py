"""Backend choices: what the picker offers (the backend in use, extractive, model backends set up, profiles) and
profiles chosen per answer, answered by a real scripted model server."""
from __future__ import annotations

import importlib.util

import pytest
from llm_servers import ScriptedLLM

from assistant.answering.assistant import Assistant
from assistant.backends import choices
from assistant.config import load_config
from assistant.errors import ConfigError

Q = "巡视组从哪天开始进驻？"
NO_MODEL = {"llamacpp_model": "/nonexistent/model.gguf"}


def config(text: str = "", environ=None, **overrides):
    return load_config(text, "assistant.toml", environ or {}, {**NO_MODEL, **overrides})


def offered(cfg) -> list[str]:
    return [c.key for c in choices.configured(cfg)]


def test_the_offline_default_offers_only_extractive():
    assert offered(config()) == ["extractive"]
    assert choices.configured(config())[0].label.startswith("摘录原文")


def test_model_backends_are_offered_once_their_settings_are_filled_in():
    assert offered(config(openai_model="deepseek-chat")) == ["extractive", "openai"]
    assert offered(config(environ={"ASSISTANT_OLLAMA_URL": "http://10.0.0.2:11434"})) == ["extractive", "ollama"]
    in_use = choices.configured(config(backend="ollama", ollama_model="qwen2.5:7b"))
    assert [c.key for c in in_use] == ["ollama", "extractive"]  # the one in use comes first
    assert in_use[0].label == "Ollama · qwen2.5:7b @ 127.0.0.1:11434"


def test_llamacpp_is_offered_only_when_its_model_file_is_there(tmp_path):
    model = tmp_path / "m.gguf"
    assert "llamacpp" not in offered(config(llamacpp_model=str(model)))
    model.write_bytes(b"GGUF")
    has_library = importlib.util.find_spec("llama_cpp") is not None
    assert ("llamacpp" in offered(config(llamacpp_model=str(model)))) is has_library


FILE = """
backend = "extractive"
[profiles.deepseek]
backend = "openai"
openai_base_url = "https://api.deepseek.com/v1"
openai_model = "deepseek-chat"
[profiles.broken]
backend = "ollama"
ollama_url = "not-a-url"
"""


def test_profiles_are_offered_with_their_model_and_a_broken_one_is_left_out_with_a_reason():
    cfg = config(FILE)
    listed = {c.key: c for c in choices.configured(cfg)}
    assert list(listed) == ["extractive", "deepseek"]
    assert listed["deepseek"].label == "deepseek：OpenAI 兼容 · deepseek-chat @ api.deepseek.com"
    assert listed["deepseek"].config.openai_model == "deepseek-chat" and listed["deepseek"].backend == "openai"
    with pytest.raises(ConfigError, match="ollama_url must be an http"):
        choices.resolve(cfg, "broken")
    with pytest.raises(ConfigError, match=r"unknown backend 'gpt9' \(backends: .*; profiles: deepseek, broken\)"):
        choices.resolve(cfg, "gpt9")


def test_a_profile_chosen_per_answer_wins_over_the_settings_the_process_started_with():
    cfg = config(FILE, environ={"ASSISTANT_OPENAI_MODEL": "from-env"}, llm_timeout=9.0)
    chosen = choices.resolve(cfg, "deepseek").config
    assert (chosen.openai_model, chosen.llm_timeout, chosen.profile) == ("deepseek-chat", 9.0, "deepseek")
    assert chosen.origins["openai_model"] == "profile deepseek" and cfg.openai_model == "from-env"


def test_assistant_answers_through_a_profile_named_per_call(assistant):
    llm = ScriptedLLM()
    try:
        text = (f'[profiles.local]\nbackend = "openai"\nopenai_base_url = "{llm.url}/v1"\nopenai_model = "qwen"\n'
                'llm_timeout = 5.0\n')
        cfg = load_config(text, "assistant.toml", {}, {"data_dir": assistant.config.data_dir,
                                                       "index_dir": assistant.config.index_dir})
        a = Assistant(cfg, store=assistant.store, retriever=assistant.retriever, backend=assistant.backend,
                      tokenizer=assistant.tokenizer)
        assert [c.key for c in a.backend_choices()][-1] == "local"
        llm.enqueue("巡视组从2018年10月17日起开始陆续进驻[1]。")
        ans = a.ask(Q, backend="local")
        assert ans.backend == "openai" and not ans.notices and ans.citations[0].verified
        assert llm.requests[0]["json"]["model"] == "qwen"
        assert a.ask(Q).backend == "extractive" and len(llm.requests) == 1  # the default is untouched
    finally:
        llm.close()
