"""Finding report files and reading them: text (UTF-8, or GB18030/GBK as Chinese Windows tools write it), HTML,
.docx and text PDFs (see formats.py)."""
from __future__ import annotations

import errno
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.errors import ReadError
from assistant.ingest.encoding import decode

SUFFIXES = (".txt", ".md", ".html", ".htm", ".docx", ".pdf")
TEXT_SUFFIXES = (".txt", ".md")
MAX_BYTES = 50 * 1024 * 1024  # a report larger than this is almost certainly not a report


@dataclass(frozen=True)
class RawFile:
    path: Path
    name: str  # how citations name the source: the file name
    text: str
    encoding: str  # "utf-8", "gb18030", or the format ("html", "docx", "pdf")
    sha256: str
    title: str | None = None  # what a structured format says about itself
    date: str | None = None  # YYYY-MM-DD
    blocks: tuple[Any, ...] | None = None  # ("heading" | "paragraph", text, page); None: clean `text` by rules


def too_large(path: Path, size: int) -> str | None:
    """Why a file of SIZE bytes is not read, or None."""
    if size > MAX_BYTES:
        return f"{path.name}: {size // (1024 * 1024)} MB is too large for a report (limit {MAX_BYTES >> 20} MB)"
    return None


def file_sha256(path: Path) -> str | None:
    """The sha256 of a file's bytes, read 1 MB at a time; None for a file over MAX_BYTES (never read)."""
    with open(path, "rb") as f:
        if too_large(path, os.fstat(f.fileno()).st_size):
            return None
        h = hashlib.sha256()
        while block := f.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def read_file(path: Path) -> RawFile:
    try:
        why = too_large(path, path.stat().st_size)
        if why:
            raise ReadError(why)
        data = path.read_bytes()
    except OSError as e:
        raise ReadError(f"{path}: cannot be read ({e.strerror or e})") from None
    digest = hashlib.sha256(data).hexdigest()
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm", ".docx", ".pdf"):
        from assistant.ingest import formats

        try:
            if suffix in (".html", ".htm"):
                parsed = formats.read_html(data, path.name)
            elif suffix == ".docx":
                parsed = formats.read_docx(path, path.name)
            else:
                parsed = formats.read_pdf(path, path.name)
        except ReadError:
            raise
        except Exception as e:  # a parser choking on a malformed file must not stop the batch
            raise ReadError(f"{path.name}: cannot be read as {suffix[1:]} ({type(e).__name__}: {e})") from None
        text = "\n\n".join(t for _, t, _ in parsed.blocks)
        return RawFile(path, path.name, text, "html" if suffix == ".htm" else suffix[1:],
                       digest, parsed.title, parsed.date, tuple(parsed.blocks))
    text, encoding = decode(data, path.name)
    return RawFile(path, path.name, text, encoding, digest)


def symlink_loop(path: Path) -> str | None:
    """Why PATH, a symlink, is a loop (it resolves to itself, or to a folder that holds it), or None."""
    try:
        os.stat(path)
    except OSError as e:
        return f"{path}: symlink loop ({os.readlink(path)} leads back to itself), skipped" \
            if e.errno == errno.ELOOP else None
    target, home = Path(os.path.realpath(path)), path.parent.resolve()
    if target.is_dir() and (target == home or target in home.parents):
        return f"{path}: symlink loop (links to {os.readlink(path)}, a folder that contains it), not followed"
    return None


def find_files(paths: list[Path], skipped: list[str] | None = None) -> list[Path]:
    """Report files under PATHS (files or folders), sorted, without following symlinked folders. Symlink loops
    are left out and, when SKIPPED is given, named there."""
    found: list[Path] = []
    for p in paths:
        if p.is_file():
            found.append(p)
        elif p.is_dir():
            for f in sorted(p.rglob("*")):
                if any(part.startswith(".") for part in f.relative_to(p).parts):
                    continue
                if f.is_symlink() and (why := symlink_loop(f)):
                    if skipped is not None:
                        skipped.append(why)
                elif f.suffix.lower() in SUFFIXES and f.is_file():
                    found.append(f)
        elif p.is_symlink() and (why := symlink_loop(p)):
            raise ReadError(why)
        else:
            raise ReadError(f"{p}: no such file or folder")
    return sorted(set(found))
