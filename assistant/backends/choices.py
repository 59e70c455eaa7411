"""Which answer backends a person may pick for one answer (the web chat's picker, the API's ``backend``).

A choice is named by a key: a backend name (``extractive``, ``openai``, ``ollama``, ``llamacpp``) runs that backend
with the process's settings; a profile name (a ``[profiles.NAME]`` table of the config file) runs the profile's
backend with the profile's settings on top. Backend names come first when a profile shares one.

``configured`` lists the ones worth offering: the backend in use, the offline extractive one, each model backend
whose settings were filled in (a model named, a server address set, the model file present) and every profile.
``resolve`` accepts any backend name too, so an API caller may still ask for one that is not set up and get the
backend's own clear failure (and the extractive answer with a notice).
"""
from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from assistant.backends import available
from assistant.errors import ConfigError


@dataclass(frozen=True)
class Choice:
    key: str  # what the picker sends back and the API's ``backend`` accepts
    label: str  # what a person reads
    backend: str  # the backend it runs
    config: Any  # the settings it runs with


def _host(url: str) -> str:
    return urlsplit(url).netloc or url


def describe(backend: str, config: Any) -> str:
    """One line naming the backend and its model, e.g. ``OpenAI 兼容 · deepseek-chat @ api.deepseek.com``."""
    if backend == "extractive":
        return "摘录原文（extractive，离线）"
    if backend == "openai":
        return f"OpenAI 兼容 · {config.openai_model or '服务器默认模型'} @ {_host(config.openai_base_url)}"
    if backend == "ollama":
        return f"Ollama · {config.ollama_model or '未指定模型'} @ {_host(config.ollama_url)}"
    if backend == "llamacpp":
        return f"本地模型 · {Path(config.llamacpp_model).name}"
    return backend


def _set(config: Any, name: str) -> bool:
    return config.origins.get(name, "default") != "default"


def _is_configured(backend: str, config: Any) -> bool:
    if backend == "extractive" or backend == config.backend:
        return True
    if backend == "openai":
        return bool(config.openai_model) or _set(config, "openai_base_url")
    if backend == "ollama":
        return bool(config.ollama_model) or _set(config, "ollama_url")
    if backend == "llamacpp":
        return Path(config.llamacpp_model).is_file() and importlib.util.find_spec("llama_cpp") is not None
    return False


def _backend(name: str, config: Any) -> Choice:
    return Choice(name, describe(name, config), name, config)


def _profile(name: str, config: Any) -> Choice:
    """Profile NAME applied to CONFIG; ConfigError when its values are invalid."""
    chosen = config.with_profile(name)
    return Choice(name, f"{name}：{describe(chosen.backend, chosen)}", chosen.backend, chosen)


def _profiles(config: Any) -> list[str]:
    """The config file's profiles a key can reach (a backend's own name goes to the backend)."""
    return [p for p in config.profiles if p not in available()]


def configured(config: Any) -> list[Choice]:
    """The choices to offer, the one in use first. A profile whose values are invalid is left out (``resolve``
    names what is wrong with it)."""
    out = [_backend(config.backend, config)]
    out += [_backend(name, config) for name in available() if name != config.backend and _is_configured(name, config)]
    for name in _profiles(config):
        try:
            out.append(_profile(name, config))
        except ConfigError:
            continue
    return out


def keys(config: Any) -> list[str]:
    """Every key ``resolve`` accepts: the backend names, then the profiles."""
    return [*available(), *_profiles(config)]


def resolve(config: Any, key: str) -> Choice:
    """The choice called KEY; ConfigError naming the ones there are when there is no such backend or profile."""
    if key in available():
        return _backend(key, config)
    profiles = _profiles(config)
    if key in profiles:
        return _profile(key, config)
    raise ConfigError(f"unknown backend '{key}' (backends: {', '.join(available())}"
                      + (f"; profiles: {', '.join(profiles)}" if profiles else "") + ")")
