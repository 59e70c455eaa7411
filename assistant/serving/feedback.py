"""有用/没用 votes from the web chat, appended to a local JSONL file beside the index (question, answer with its 来源 lines,
vote, time) for later evaluation. Nothing is sent anywhere; a malformed vote is ignored."""
from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

MAX_FIELD = 20_000  # characters kept of a question or an answer
_lock = threading.Lock()


def path_for(config: Any) -> Path:
    """``feedback.jsonl`` in the directory that holds the index (the index itself is rebuilt and swapped)."""
    return Path(config.index_dir).resolve().parent / "feedback.jsonl"


def record(path: Path, payload: str) -> dict | None:
    """Append the vote in PAYLOAD (JSON: vote, question, answer) to PATH; the row written, or None when the
    payload is not a vote."""
    try:
        got = json.loads(payload) if isinstance(payload, str) and len(payload) < 4 * MAX_FIELD else None
    except ValueError:
        return None
    if not isinstance(got, dict) or got.get("vote") not in ("up", "down"):
        return None
    row = {"time": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "vote": got["vote"],
           "question": str(got.get("question") or "")[:MAX_FIELD], "answer": str(got.get("answer") or "")[:MAX_FIELD]}
    with _lock:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    return row
