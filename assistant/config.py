"""Settings, declared once.

Every setting has a name, a type, a default and one line of help. The config file, the environment
(``ASSISTANT_<NAME>``), the CLI flags and the README table are all derived from ``SETTINGS``.
Loading is a pure function of (file text, environ, overrides) so tests need no monkeypatching.
"""
from __future__ import annotations

import dataclasses
import os
import tomllib
from pathlib import Path
from typing import Any, Mapping

from .errors import ConfigError


@dataclasses.dataclass(frozen=True)
class Setting:
    name: str
    type: type
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("data_dir", str, "data", "Folder (or file) of reports to index; .txt and .md, UTF-8 or GB18030/GBK."),
    Setting("index_dir", str, "index", "Where the persisted Chroma index is written."),
    Setting("top_k", int, 5, "How many paragraphs retrieval returns (and the answer may cite from)."),
    Setting("backend", str, "extractive", "Answer backend; 'extractive' is the offline default."),
    Setting("user_dict", str, "", "Extra jieba user dictionary file(s), separated by ':' (one term per line)."),
    Setting("max_sentences", int, 4, "Most sentences an extractive answer quotes."),
    Setting("embed_threads", int, 1, "OMP threads for the embedder (set before it loads)."),
    Setting("eval_file", str, "../shared/eval/dev.jsonl", "Default question set for `assistant eval`."),
)

_BY_NAME = {s.name: s for s in SETTINGS}
ENV_PREFIX = "ASSISTANT_"
DEFAULT_FILE = "assistant.toml"


def _replace(self, **changes: Any) -> "Config":
    return load_config(overrides={**self.as_dict(), **changes})


def _as_dict(self) -> dict[str, Any]:
    return {s.name: getattr(self, s.name) for s in SETTINGS}


def _user_dicts(self) -> list[Path]:
    return [Path(p) for p in self.user_dict.split(os.pathsep) if p.strip()]


# The Config class is generated from SETTINGS so a setting cannot exist in one place and not the other.
# `origins` says where each value came from: "default", "file PATH", "env NAME" or "flag".
Config = dataclasses.make_dataclass(
    "Config",
    [(s.name, s.type, dataclasses.field(default=s.default)) for s in SETTINGS]
    + [("origins", Mapping[str, str], dataclasses.field(default_factory=dict, compare=False, repr=False))],
    frozen=True,
    namespace={"replace": _replace, "as_dict": _as_dict, "user_dicts": _user_dicts},
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
    if setting.type is str and isinstance(value, (int, float)):
        return str(value)
    raise ConfigError(f"{where}: setting '{setting.name}' must be {setting.type.__name__}, got {value!r}")


def load_config(
    file_text: str | None = None,
    file_name: str = DEFAULT_FILE,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Config:
    """Effective settings: defaults < config file < environment < overrides (CLI flags)."""
    values: dict[str, Any] = {s.name: s.default for s in SETTINGS}
    origins = {s.name: "default" for s in SETTINGS}
    if file_text is not None:
        try:
            data = tomllib.loads(file_text)
        except tomllib.TOMLDecodeError as e:
            raise ConfigError(f"{file_name}: not valid TOML ({e})") from None
        for key, value in data.items():
            if isinstance(value, dict):
                continue  # tables (e.g. profiles) are read by the features that own them
            if key not in _BY_NAME:
                raise ConfigError(f"{file_name}: unknown setting '{key}' (known: {', '.join(_BY_NAME)})")
            values[key] = _coerce(_BY_NAME[key], value, file_name)
            origins[key] = f"file {file_name}"
    for s in SETTINGS:
        env_name = ENV_PREFIX + s.name.upper()
        if environ and env_name in environ:
            values[s.name] = _coerce(s, environ[env_name], f"environment {env_name}")
            origins[s.name] = f"env {env_name}"
    for key, value in (overrides or {}).items():
        if value is None:
            continue
        if key not in _BY_NAME:
            raise ConfigError(f"unknown setting '{key}'")
        values[key] = _coerce(_BY_NAME[key], value, "option")
        origins[key] = "flag"
    if values["top_k"] < 1 or values["top_k"] > 50:
        raise ConfigError(f"top_k must be between 1 and 50, got {values['top_k']}")
    if values["max_sentences"] < 1:
        raise ConfigError("max_sentences must be at least 1")
    return Config(**values, origins=origins)


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
