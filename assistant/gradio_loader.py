"""Import gradio without its import-time type-stub regeneration (the web chat's start-up time).

Every time gradio is imported, ``gradio.component_meta.create_or_modify_pyi`` re-derives the ``.pyi`` stub of each
of its ~80 component classes: it parses the component's whole source file (and its stub) with ``ast`` and rewrites
the stub in site-packages when it differs. The stubs ship in the wheel, a running server never reads them, and on
Python 3.11 ``ast.get_source_segment`` walks the source one character at a time: this was ~0.7 s of a ~3 s import
here (more than half of it under a profiler). ``load()`` imports gradio with that one step skipped and leaves
everything else as it is; if a gradio release renames or drops the function, the import simply runs unchanged.
"""
from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
import threading
from types import ModuleType

TARGET = "gradio.component_meta"
SKIPPED = "create_or_modify_pyi"
_lock = threading.Lock()


def _skip_stubs(*_args, **_kwargs) -> None:
    """Stands in for gradio's stub writer: the installed stubs stay as the wheel shipped them."""


class _StubSkipper(importlib.abc.MetaPathFinder):
    """Finds ``gradio.component_meta`` the normal way and replaces its stub writer right after the module runs,
    before any component class is defined with it."""

    def find_spec(self, name, path, target=None):
        if name != TARGET:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path, target)
        loader = spec.loader if spec else None
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        run = loader.exec_module

        def exec_module(module: ModuleType) -> None:
            run(module)
            if callable(getattr(module, SKIPPED, None)):
                setattr(module, SKIPPED, _skip_stubs)

        loader.exec_module = exec_module
        return spec


def load() -> ModuleType:
    """``import gradio``, skipping the stub regeneration when gradio is not imported yet."""
    with _lock:
        if "gradio" in sys.modules:
            return sys.modules["gradio"]
        finder = _StubSkipper()
        sys.meta_path.insert(0, finder)
        try:
            import gradio
        finally:
            sys.meta_path.remove(finder)
        return gradio
