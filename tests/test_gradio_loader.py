"""gradio_loader: gradio imported without its stub regeneration and jinja docstrings, docstrings identical,
and unchanged when there is nothing to adjust.

Each case runs in a fresh interpreter: the test process may have imported gradio already."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(code: str, path: list[str] | None = None) -> str:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([*(path or []), str(ROOT)]),
           "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_real_gradio_imports_with_the_stub_writer_skipped_and_works():
    out = run(
        "import sys, os\n"
        "from assistant.serving import gradio_loader\n"
        "before = list(sys.meta_path)\n"
        "stubs = os.path.join(os.path.dirname(__import__('importlib').util.find_spec('gradio').origin), 'components')\n"
        "mtimes = {f: os.stat(os.path.join(stubs, f)).st_mtime_ns for f in os.listdir(stubs) if f.endswith('.pyi')}\n"
        "gr = gradio_loader.load()\n"
        "import gradio.component_meta as cm\n"
        "assert cm.create_or_modify_pyi is gradio_loader._skip_stubs\n"
        "assert gr.events.EventListener.set_doc.__module__ == 'assistant.serving.gradio_loader'\n"
        "assert sys.meta_path == before, 'the finder is removed again'\n"
        "assert gradio_loader.load() is gr\n"
        "after = {f: os.stat(os.path.join(stubs, f)).st_mtime_ns for f in os.listdir(stubs) if f.endswith('.pyi')}\n"
        "assert after == mtimes, 'no stub file was rewritten'\n"
        "with gr.Blocks() as ui:\n"
        "    box = gr.Textbox(label='问题')\n"
        "    box.submit(lambda q: q, box, box)\n"
        "print(len(mtimes), type(box).__name__, len(ui.fns))\n")
    count, kind, fns = out.split()
    assert int(count) > 0 and kind == "Textbox" and int(fns) == 1


DOCS = ("import gradio, json\n"
        "docs = {f'{name}.{e.event_name}': getattr(cls, e.event_name).__doc__\n"
        "        for name in dir(gradio.components) if isinstance(cls := getattr(gradio.components, name), type)\n"
        "        for e in getattr(cls, 'EVENTS', []) if hasattr(e, 'event_name')}\n"
        "print(json.dumps(docs, sort_keys=True))\n")


def test_event_docstrings_come_out_as_gradios_own_jinja_rendering_makes_them():
    import json

    plain = json.loads(run(DOCS))
    adjusted = json.loads(run("from assistant.serving import gradio_loader\ngradio_loader.load()\n" + DOCS))
    assert len(plain) > 100 and adjusted == plain
    assert "{{" not in "".join(adjusted.values()) and "Textbox" in adjusted["Textbox.submit"]


def test_a_gradio_without_the_stub_writer_imports_unchanged(tmp_path):
    pkg = tmp_path / "gradio"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("from . import component_meta\nVERSION = 'fake'\n")
    (pkg / "component_meta.py").write_text("def other():\n    return 42\n")
    out = run("from assistant.serving import gradio_loader\n"
              "gr = gradio_loader.load()\n"
              "print(gr.VERSION, gr.component_meta.other(), hasattr(gr.component_meta, 'create_or_modify_pyi'))",
              path=[str(tmp_path)])
    assert out == "fake 42 False"
