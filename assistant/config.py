"""Settings, declared once.

Every setting has a name, a type, a default and one line of help. The config file, the environment
(``ASSISTANT_<NAME>``), the CLI flags and the README table are all derived from ``SETTINGS``.
Loading is a pure function of (file text, environ, overrides) so tests need no monkeypatching.
"""
from __future__ import annotations

import dataclasses
import os
import re
import tomllib
from pathlib import Path
from typing import Any, Mapping

from assistant.errors import ConfigError


@dataclasses.dataclass(frozen=True)
class Setting:
    name: str
    type: type
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("data_dir", str, "data",
            "Folder (or file) of reports to index: .txt/.md (UTF-8, GB18030/GBK), .html, .docx, .pdf."),
    Setting("index_dir", str, "index", "Where the persisted Chroma index is written."),
    Setting("chroma_url", str, "",
            "A Chroma server (e.g. http://127.0.0.1:8000) holding the index instead of index_dir; empty: embedded."),
    Setting("chroma_collection", str, "assistant", "Prefix of this index's collection names on the Chroma server."),
    Setting("chroma_timeout", float, 30.0, "Seconds to wait for the Chroma server before reporting it unreachable."),
    Setting("top_k", int, 5, "How many paragraphs retrieval returns (and the answer may cite from)."),
    Setting("backend", str, "extractive", "Answer backend; 'extractive' is the offline default."),
    Setting("user_dict", str, "", "Extra jieba user dictionary file(s), separated by ':' (one term per line)."),
    Setting("max_sentences", int, 4, "Most sentences an extractive answer quotes."),
    Setting("embed_threads", int, 1, "OMP threads for the embedder (set before it loads)."),
    Setting("eval_file", str, "../shared/eval/dev.jsonl", "Default question set for `assistant eval`."),
    # Model backends. API keys are never settings: a setting names the environment variable that holds the key.
    Setting("profile", str, "", "Apply the config file's [profiles.NAME] table (e.g. --profile deepseek)."),
    Setting("openai_base_url", str, "http://127.0.0.1:8080/v1",
            "Base URL (…/v1) of an OpenAI-compatible chat-completions server, for backend 'openai'."),
    Setting("openai_model", str, "", "Model name sent to the OpenAI-compatible server (e.g. deepseek-chat)."),
    Setting("openai_api_key_env", str, "OPENAI_API_KEY",
            "Name of the environment variable holding that server's API key (local servers need none)."),
    Setting("ollama_url", str, "http://127.0.0.1:11434", "Ollama server, for backend 'ollama' (native /api/chat)."),
    Setting("ollama_model", str, "", "Ollama model name (e.g. qwen2.5:7b)."),
    Setting("llamacpp_model", str, "models/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
            "GGUF model file for backend 'llamacpp' (in-process; pip install llama-cpp-python)."),
    Setting("careful", bool, False,
            "Careful mode: the local GGUF model (llamacpp_model) also judges whether the best sentences answer "
            "the question, whatever the backend (~1 s more a question; refuses more it cannot answer)."),
    Setting("llamacpp_threads", int, 2, "CPU threads for the in-process llamacpp model."),
    Setting("llamacpp_context", int, 4096, "Context window (tokens) of the in-process llamacpp model."),
    Setting("llm_timeout", float, 60.0, "Seconds a model may take for one answer before the extractive answer is used."),
    Setting("llm_temperature", float, 0.1, "Sampling temperature for model backends (low keeps answers to the text)."),
    Setting("llm_max_tokens", int, 400, "Longest answer a model backend may write, in tokens."),
    Setting("llm_prompt_chars", int, 1800,
            "Most characters of report passages put in a model's prompt (keep within its context window)."),
    Setting("condense", str, "auto",
            "Follow-up questions: 'auto' (rewrite with the model when one answers, else rules), 'model' or 'rules'."),
    Setting("uploads", bool, True,
            "Let the web chat's 报告 tab and POST/DELETE /api/sources add and remove reports in data_dir "
            "(on a non-local host only with api_key_env set)."),
    Setting("upload_max_mb", int, 20, "Largest report file an upload may send, in MB."),
    Setting("upload_max_files", int, 10, "Most files one upload may send."),
    Setting("api_key_env", str, "ASSISTANT_API_KEY",
            "Environment variable holding the bearer key for /api, /v1 and /mcp (unset or empty: no key needed)."),
)

_BY_NAME = {s.name: s for s in SETTINGS}
ENV_PREFIX = "ASSISTANT_"
DEFAULT_FILE = "assistant.toml"


def _replace(self, **changes: Any) -> "Config":
    values = {**self.as_dict(), **changes}
    profile = values.pop("profile")  # already applied: its values are in `values`
    new = load_config(overrides=values)
    return dataclasses.replace(new, profile=profile, origins={**self.origins, **{k: "flag" for k in changes}},
                               profiles=self.profiles)


def _with_profile(self, name: str) -> "Config":
    """These settings with the config file's [profiles.NAME] table applied on top: a per-answer choice (the web
    chat's picker, the API's ``backend``), so the profile's values win over the ones the process started with."""
    if name not in self.profiles:
        raise ConfigError(f"no profile '{name}' (profiles: {', '.join(self.profiles) or 'none'})")
    where = f"[profiles.{name}]"
    values = {key: _coerce(_BY_NAME[key], value, where) for key, value in self.profiles[name].items()}
    new = self.replace(**values)
    return dataclasses.replace(new, profile=name, origins={**self.origins, **{k: f"profile {name}" for k in values}})


def _as_dict(self) -> dict[str, Any]:
    return {s.name: getattr(self, s.name) for s in SETTINGS}


def _user_dicts(self) -> list[Path]:
    return [Path(p) for p in self.user_dict.split(os.pathsep) if p.strip()]


# The Config class is generated from SETTINGS so a setting cannot exist in one place and not the other.
# `origins` says where each value came from: "default", "file PATH", "env NAME" or "flag"; `profiles` holds the
# config file's [profiles.NAME] tables (keys checked, values coerced when one is applied).
Config = dataclasses.make_dataclass(
    "Config",
    [(s.name, s.type, dataclasses.field(default=s.default)) for s in SETTINGS]
    + [("origins", Mapping[str, str], dataclasses.field(default_factory=dict, compare=False, repr=False)),
       ("profiles", Mapping[str, Mapping[str, Any]], dataclasses.field(default_factory=dict, compare=False,
                                                                       repr=False))],
    frozen=True,
    namespace={"replace": _replace, "as_dict": _as_dict, "user_dicts": _user_dicts, "with_profile": _with_profile},
)
Config.__module__ = __name__


def _coerce(setting: Setting, value: Any, where: str) -> Any:
    if isinstance(value, setting.type) and not (setting.type is int and isinstance(value, bool)):
        return value
    if setting.type is int:
        try:
            return int(str(value).strip())
        except ValueError:
            raise ConfigError(f"{where}: setting '{setting.name}' must be a whole number, got {value!r}") from None
    if setting.type is bool:
        word = str(value).strip().lower()
        if word in ("1", "true", "yes", "on"):
            return True
        if word in ("0", "false", "no", "off"):
            return False
        raise ConfigError(f"{where}: setting '{setting.name}' must be true or false, got {value!r}")
    if setting.type is float and not isinstance(value, bool):
        try:
            return float(str(value).strip())
        except ValueError:
            raise ConfigError(f"{where}: setting '{setting.name}' must be a number, got {value!r}") from None
    if setting.type is str and isinstance(value, (int, float)):
        return str(value)
    raise ConfigError(f"{where}: setting '{setting.name}' must be {setting.type.__name__}, got {value!r}")


def _unknown(key: str, where: str) -> ConfigError:
    hint = ""
    if "key" in key.lower() or "token" in key.lower() or "secret" in key.lower():
        hint = ("; API keys are never read from settings: export the key in an environment variable and name that "
                "variable with openai_api_key_env")
    return ConfigError(f"{where}: unknown setting '{key}'{hint} (known: {', '.join(_BY_NAME)})")


def _file_tables(file_text: str, file_name: str) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The file's top-level settings and its [profiles.NAME] tables, every key checked against SETTINGS."""
    try:
        data = tomllib.loads(file_text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{file_name}: not valid TOML ({e})") from None
    profiles = data.pop("profiles", {})
    if not isinstance(profiles, dict) or not all(isinstance(v, dict) for v in profiles.values()):
        raise ConfigError(f"{file_name}: 'profiles' must be tables: [profiles.NAME] with settings inside")
    for key, value in data.items():
        if key not in _BY_NAME:
            raise _unknown(key, file_name)
    for name, table in profiles.items():
        for key in table:
            if key not in _BY_NAME or key == "profile":
                raise _unknown(key, f"{file_name} [profiles.{name}]")
    return data, profiles


def load_config(
    file_text: str | None = None,
    file_name: str = DEFAULT_FILE,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Config:
    """Effective settings: defaults < config file < its chosen [profiles.NAME] < environment < overrides (flags).

    The profile is chosen with the same precedence (``profile = …`` in the file, ASSISTANT_PROFILE, --profile).
    """
    environ, overrides = environ or {}, {k: v for k, v in (overrides or {}).items() if v is not None}
    values: dict[str, Any] = {s.name: s.default for s in SETTINGS}
    origins = {s.name: "default" for s in SETTINGS}
    data, profiles = _file_tables(file_text, file_name) if file_text is not None else ({}, {})
    for key, value in data.items():
        values[key] = _coerce(_BY_NAME[key], value, file_name)
        origins[key] = f"file {file_name}"
    profile = str(overrides.get("profile") or environ.get(ENV_PREFIX + "PROFILE") or data.get("profile") or "")
    if profile:
        if profile not in profiles:
            known = ", ".join(profiles) or f"none; add a [profiles.{profile}] table to {file_name}"
            raise ConfigError(f"no profile '{profile}' in {file_name} (profiles: {known})")
        for key, value in profiles[profile].items():
            values[key] = _coerce(_BY_NAME[key], value, f"{file_name} [profiles.{profile}]")
            origins[key] = f"profile {profile} ({file_name})"
    for s in SETTINGS:
        env_name = ENV_PREFIX + s.name.upper()
        if env_name in environ:
            values[s.name] = _coerce(s, environ[env_name], f"environment {env_name}")
            origins[s.name] = f"env {env_name}"
    for key, value in overrides.items():
        if key not in _BY_NAME:
            raise _unknown(key, "option")
        values[key] = _coerce(_BY_NAME[key], value, "option")
        origins[key] = "flag"
    values["profile"] = profile
    _check(values)
    return Config(**values, origins=origins, profiles=profiles)


def _check(values: dict[str, Any]) -> None:
    if values["top_k"] < 1 or values["top_k"] > 50:
        raise ConfigError(f"top_k must be between 1 and 50, got {values['top_k']}")
    if values["max_sentences"] < 1:
        raise ConfigError("max_sentences must be at least 1")
    if not 0 < values["llm_timeout"] <= 3600:
        raise ConfigError(f"llm_timeout must be between 0 and 3600 seconds, got {values['llm_timeout']}")
    if not 0 <= values["llm_temperature"] <= 2:
        raise ConfigError(f"llm_temperature must be between 0 and 2, got {values['llm_temperature']}")
    if values["llm_max_tokens"] < 16:
        raise ConfigError("llm_max_tokens must be at least 16")
    if values["condense"] not in ("auto", "model", "rules"):
        raise ConfigError(f"condense must be 'auto', 'model' or 'rules', got {values['condense']!r}")
    for name in ("openai_base_url", "ollama_url"):
        if not values[name].startswith(("http://", "https://")):
            raise ConfigError(f"{name} must be an http:// or https:// URL, got {_mask_url(values[name])!r}")


def _mask_url(url: str) -> str:
    """A URL fit to print: a password in it and the values of key-like query parameters are masked."""
    url = re.sub(r"(//[^/:@]+:)[^@/]+@", r"\1****@", url)
    return re.sub(r"([?&](?:api[_-]?key|key|token|access_token|secret)=)[^&]+", r"\1****", url, flags=re.I)


def _mask_secret(value: str) -> str:
    return "****" + value[-4:] if len(value) >= 16 else "****"


def describe(config: Config, environ: Mapping[str, str] | None = None) -> list[tuple[str, str, str]]:
    """(name, value fit to print, origin) for every setting: secrets masked, key variables said set or not."""
    environ = os.environ if environ is None else environ
    rows = []
    for s in SETTINGS:
        value = getattr(config, s.name)
        shown = str(value).lower() if isinstance(value, bool) else repr(value)  # as TOML writes it
        if s.name.endswith("_url"):
            shown = repr(_mask_url(value))
        elif s.name.endswith("api_key_env") and value:
            secret = environ.get(value, "")
            shown = f"{value!r} ({'set: ' + _mask_secret(secret) if secret else 'not set'})"
        rows.append((s.name, shown, config.origins.get(s.name, "default")))
    return rows


def load_config_from(path: str | None = None, environ: Mapping[str, str] | None = None,
                     overrides: Mapping[str, Any] | None = None) -> Config:
    """Read PATH (or ./assistant.toml when present) and apply environ and overrides."""
    environ = os.environ if environ is None else environ
    if path is None and Path(DEFAULT_FILE).is_file():
        path = DEFAULT_FILE
    text = None
    if path is not None:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise ConfigError(f"cannot read config file {path}: {e}") from None
    return load_config(text, str(path or DEFAULT_FILE), environ, overrides)
