"""Settings: file < profile < environment < flags, profiles, masking of secrets, clear errors for unknown keys."""
from __future__ import annotations

import pytest

from assistant.config import SETTINGS, describe, load_config
from assistant.errors import ConfigError

FILE = """
backend = "openai"
top_k = 4
llm_timeout = 30

[profiles.deepseek]
openai_base_url = "https://api.deepseek.com/v1"
openai_model = "deepseek-chat"
openai_api_key_env = "DEEPSEEK_API_KEY"

[profiles.local]
backend = "llamacpp"
llm_timeout = 120
"""


def test_precedence_file_then_environment_then_flags():
    c = load_config(FILE, "a.toml", {"ASSISTANT_TOP_K": "6", "ASSISTANT_LLM_TEMPERATURE": "0.5"}, {"top_k": 7})
    assert (c.backend, c.top_k, c.llm_timeout, c.llm_temperature) == ("openai", 7, 30.0, 0.5)
    assert c.origins["backend"] == "file a.toml" and c.origins["top_k"] == "flag"
    assert c.origins["llm_temperature"] == "env ASSISTANT_LLM_TEMPERATURE" and c.origins["max_sentences"] == "default"


def test_profile_applies_over_the_file_and_under_environment_and_flags():
    c = load_config(FILE, "a.toml", {"ASSISTANT_OPENAI_MODEL": "deepseek-reasoner"}, {"profile": "deepseek"})
    assert c.profile == "deepseek" and c.openai_base_url == "https://api.deepseek.com/v1"
    assert c.openai_model == "deepseek-reasoner" and c.origins["openai_base_url"] == "profile deepseek (a.toml)"
    assert load_config(FILE, "a.toml", {"ASSISTANT_PROFILE": "local"}).backend == "llamacpp"


def test_profile_named_in_the_file_itself():
    text = 'profile = "local"\n' + FILE
    c = load_config(text, "a.toml")
    assert c.backend == "llamacpp" and c.llm_timeout == 120.0


def test_unknown_profile_lists_the_known_ones():
    with pytest.raises(ConfigError, match="no profile 'qwen'.*deepseek, local"):
        load_config(FILE, "a.toml", overrides={"profile": "qwen"})


@pytest.mark.parametrize("text, words", [
    ("backnd = 'openai'\n", "unknown setting 'backnd'"),
    ("[profiles.x]\nmodel = 'y'\n", r"\[profiles.x\]: unknown setting 'model'"),
    ("[web]\nport = 1\n", "unknown setting 'web'"),
    ("openai_api_key = 'sk-secret'\n", "never read from settings"),
    ("llm_timeout = 'soon'\n", "must be a number"),
    ("llm_timeout = 0\n", "llm_timeout must be between"),
    ("condense = 'always'\n", "condense must be"),
    ("openai_base_url = 'api.deepseek.com'\n", "http:// or https://"),
])
def test_bad_settings_are_clear_errors(text, words):
    with pytest.raises(ConfigError, match=words) as e:
        load_config(text, "a.toml")
    assert "sk-secret" not in str(e.value)


def test_describe_masks_keys_and_passwords_and_says_where_from():
    c = load_config(FILE, "a.toml", {"DEEPSEEK_API_KEY": "sk-abcdefghijklmnop1234"},
                    {"profile": "deepseek", "ollama_url": "http://user:hunter2@10.0.0.2:11434/?token=t0ken"})
    rows = {name: (value, origin) for name, value, origin in describe(c, {"DEEPSEEK_API_KEY": "sk-abcdefghijklmnop1234"})}
    assert set(rows) == {s.name for s in SETTINGS}
    assert rows["openai_api_key_env"] == ("'DEEPSEEK_API_KEY' (set: ****1234)", "profile deepseek (a.toml)")
    assert "hunter2" not in rows["ollama_url"][0] and "t0ken" not in rows["ollama_url"][0]
    text = repr(rows)
    assert "sk-abcdefghijklmnop" not in text


def test_cli_config_prints_origins_without_secrets(tmp_path, capsys, monkeypatch):
    from assistant.cli import main

    (tmp_path / "assistant.toml").write_text(FILE, encoding="utf-8")
    monkeypatch.setenv("DEEPSEEK_API_KEY", "sk-abcdefghijklmnop9876")
    assert main(["config", "--config", str(tmp_path / "assistant.toml"), "--profile", "deepseek", "--top-k", "3"]) == 0
    out = capsys.readouterr().out
    assert "top_k" in out and "# flag" in out and "profile deepseek" in out and "****9876" in out
    assert "sk-abcdefghijklmnop" not in out


def test_every_setting_has_help_and_a_default_of_its_type():
    for s in SETTINGS:
        assert s.help and isinstance(s.default, s.type), s.name
