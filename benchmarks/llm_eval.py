"""The dev set through each backend: extractive, llamacpp in-process, and openai against llama_cpp.server.

    .venv/bin/python benchmarks/llm_eval.py [--backends extractive,llamacpp,openai] [--write]

Needs the model (scripts/get-model.sh) and llama-cpp-python[server]. The openai run starts
`python -m llama_cpp.server --model FILE --model_alias qwen --host 127.0.0.1 --port N --n_ctx 2048 --n_threads 2`
and stops it afterwards. --write puts the table into benchmarks/results/llm_eval.md.
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")

from assistant.answering.assistant import Assistant  # noqa: E402
from assistant.answering.evaluate import load_questions, score  # noqa: E402
from assistant.config import load_config  # noqa: E402

MODEL = ROOT / "models" / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
DEV = ROOT.parent / "shared" / "eval" / "dev.jsonl"
COLUMNS = ["answer keywords", "citation hit (a cited paragraph holds the gold span)", "verified citations",
           "unsupported sentences", "unanswerable refused", "false refusals", "seconds per answer (mean)",
           "fallbacks (extractive answered instead)", "answer ms (p50)"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "llama_cpp.server", "--model", str(MODEL), "--model_alias", "qwen",
           "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048", "--n_threads", "2"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import httpx

    for _ in range(120):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/v1/models", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.5)
    proc.terminate()
    raise SystemExit("llama_cpp.server did not start within 60 s")


class Replay:
    """Stands in for an Assistant: hands back the answers a --dump run saved, so a long run can be re-scored."""

    def __init__(self, path: str, name: str):
        from types import SimpleNamespace

        from assistant.contract import Answer, Citation, Passage

        self.config, self.backend = SimpleNamespace(top_k=5), SimpleNamespace(name=name)
        self.answers = {}
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            d = json.loads(line)
            d["citations"] = [Citation(**c) for c in d["citations"]]
            d["retrieved"] = [Passage(**r) for r in d["retrieved"]]
            self.answers[d["id"]] = Answer(**d)

    def ask(self, question, history=None, top_k=None, id=None, backend=None):
        return self.answers[id]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--backends", default="extractive,llamacpp,openai")
    ap.add_argument("--file", default=str(DEV))
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--replay", action="append", default=[], metavar="NAME=FILE",
                    help="score answers saved with --dump instead of asking again")
    ap.add_argument("--dump", help="write every answer's contract here (JSON lines), to see what the model said")
    args = ap.parse_args()
    items = load_questions(Path(args.file))
    results = {}
    for spec in args.replay:
        name, _, path = spec.partition("=")
        results[name] = score(Replay(path, name), items, backend=name)
    backends = [b for b in args.backends.split(",") if b and b not in results]
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        config = load_config(overrides={"data_dir": str(ROOT / "data"), "index_dir": str(Path(tmp) / "index"),
                                        "llamacpp_model": str(MODEL), "openai_base_url": f"http://127.0.0.1:{port}/v1",
                                        "openai_model": "qwen", "llamacpp_context": 2048, "llm_timeout": 180.0,
                                        # the 1.5B model on 2 busy cores: ~17 prompt tokens/s, so keep prompts short
                                        "llm_prompt_chars": 1000, "llm_max_tokens": 256})
        assistant = Assistant.from_config(config, notify=lambda m: None) if backends else None
        for name in backends:
            server = start_server(port) if name == "openai" else None
            try:
                if name == "llamacpp":
                    assistant.ask("热身", backend=name)  # load the model outside the timings
                t0 = time.perf_counter()
                dump = open(args.dump, "a", encoding="utf-8") if args.dump else None
                keep = (lambda ans: dump.write(json.dumps(ans.to_dict(), ensure_ascii=False) + "\n")) if dump else None
                results[name] = score(assistant, items, backend=name, on_answer=keep)
                if dump:
                    dump.close()

                print(f"{name}: {time.perf_counter() - t0:.0f} s", file=sys.stderr)
                for miss in results[name].misses:
                    print(f"  - {miss}", file=sys.stderr)
            finally:
                if server:
                    server.terminate()
                    try:
                        server.wait(10)
                    except subprocess.TimeoutExpired:  # it sometimes ignores SIGTERM mid-request
                        server.kill()
                        server.wait()
    rows = {name: s.as_dict() for name, s in results.items()}
    header = "| metric | " + " | ".join(rows) + " |"
    lines = [header, "|---" * (len(rows) + 1) + "|"]
    for col in ["questions"] + COLUMNS:
        lines.append(f"| {col} | " + " | ".join(r.get(col, "-") for r in rows.values()) + " |")
    table = "\n".join(lines)
    print(table)
    if args.write:
        out = ROOT / "benchmarks" / "results" / "llm_eval.md"
        out.write_text(f"# Dev set through each backend\n\n`{Path(args.file).name}`, Qwen2.5-Coder-1.5B-Instruct Q4_K_M "
                       f"on 2 cores; openai = the openai backend against llama_cpp.server (n_ctx 2048).\n"
                       f"Produced by `.venv/bin/python benchmarks/llm_eval.py --write`.\n\n{table}\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
