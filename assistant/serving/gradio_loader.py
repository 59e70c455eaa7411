"""Import gradio without two costly import-time steps a server does not need (the web chat's start-up time).

1. ``gradio.component_meta.create_or_modify_pyi``: on every import gradio re-derives the ``.pyi`` stub of each of its
   ~80 component classes, parsing the component's whole source file (and its stub) with ``ast`` and rewriting the
   stub in site-packages when it differs. The stubs ship in the wheel and a running server never reads them; on
   Python 3.11 ``ast.get_source_segment`` walks the source a character at a time. Skipped.
2. ``gradio.events.EventListener.set_doc``: compiles a jinja template per event listener (~200) to put the
   component's name into its docstring. Done here by substituting ``{{ component }}`` directly, with jinja's own
   rendering kept for any docstring that holds other template syntax; the docstrings come out identical.

Together ~0.7–1.2 s of a ~3 s import here. ``load()`` changes nothing else; if a gradio release renames or drops
either, that step simply runs as gradio wrote it.
"""
from __future__ import annotations

import importlib.abc
import importlib.machinery
import re
import sys
import threading
from types import ModuleType
from typing import Callable

_PLACEHOLDER = re.compile(r"\{\{\s*component\s*\}\}")
_lock = threading.Lock()


def _skip_stubs(*_args, **_kwargs) -> None:
    """Stands in for gradio's stub writer: the installed stubs stay as the wheel shipped them."""


def _no_stubs(module: ModuleType) -> None:
    if callable(getattr(module, "create_or_modify_pyi", None)):
        module.create_or_modify_pyi = _skip_stubs


def _plain_docs(module: ModuleType) -> None:
    listener = getattr(module, "EventListener", None)
    render_with_jinja = getattr(listener, "set_doc", None)
    if not callable(render_with_jinja):
        return

    def set_doc(self, component: str) -> None:
        doc = self.listener.__doc__
        if not doc:
            return
        plain = _PLACEHOLDER.sub(lambda _: component, doc)
        if any(mark in plain for mark in ("{{", "{%", "{#")):
            return render_with_jinja(self, component)
        # jinja drops a single trailing newline (keep_trailing_newline=False)
        self.listener.__doc__ = plain[:-1] if plain.endswith("\n") else plain

    listener.set_doc = set_doc


AFTER_IMPORT: dict[str, Callable[[ModuleType], None]] = {"gradio.component_meta": _no_stubs,
                                                         "gradio.events": _plain_docs}


class _Adjuster(importlib.abc.MetaPathFinder):
    """Finds the modules of AFTER_IMPORT the normal way and adjusts each right after it runs, before the
    component classes are defined with it."""

    def find_spec(self, name, path, target=None):
        adjust = AFTER_IMPORT.get(name)
        if adjust is None:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path, target)
        loader = spec.loader if spec else None
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        run = loader.exec_module

        def exec_module(module: ModuleType) -> None:
            run(module)
            adjust(module)

        loader.exec_module = exec_module
        return spec


def load() -> ModuleType:
    """``import gradio``, with the two steps above adjusted when gradio is not imported yet."""
    with _lock:
        if "gradio" in sys.modules:
            return sys.modules["gradio"]
        finder = _Adjuster()
        sys.meta_path.insert(0, finder)
        try:
            import gradio
        finally:
            sys.meta_path.remove(finder)
        return gradio
