"""Prompt templates, kept as files in prompts/ and filled by name; the messages every chat backend sends.

Templates use ``{name}`` placeholders (only lower-case identifiers; other braces are left alone, so a template may
contain JSON or set notation). A placeholder with no value is a PromptError naming the variable and the file.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Sequence

from assistant.errors import AssistantError

PROMPTS_DIR = Path(__file__).resolve().parents[2] / "prompts"
_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
# A passage must not be able to close its own delimiter and speak as the user.
_DELIMITER = re.compile(r"</?\s*资料\s*>")
_MARKER = re.compile(r"\[\d+\]|【\d+】")
HISTORY_TURNS = 4
HISTORY_CHARS = 200


class PromptError(AssistantError):
    """A prompt template is missing or uses a variable nobody gives it."""


def template(name: str, directory: Path | None = None) -> str:
    path = (directory or PROMPTS_DIR) / f"{name}.txt"
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise PromptError(f"prompt template {path} cannot be read: {e}") from None


def render(name: str, directory: Path | None = None, **values: object) -> str:
    """Template NAME with its {placeholders} filled from VALUES."""
    text = template(name, directory)
    missing = sorted({m for m in _PLACEHOLDER.findall(text) if m not in values})
    if missing:
        raise PromptError(f"prompt template {name}.txt needs {', '.join('{' + m + '}' for m in missing)}, "
                          f"which the code does not provide (it provides: {', '.join(sorted(values)) or 'nothing'})")
    return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), text)


def where(paragraph) -> str:
    return f"第{paragraph.number}段" + (f"，{paragraph.section}" if paragraph.section else "")


def passages_block(hits: Sequence, max_chars: int, directory: Path | None = None) -> tuple[str, int]:
    """The retrieved paragraphs numbered [1]…[k] (k as many as fit in MAX_CHARS; at least one) and k."""
    parts, used = [], 0
    for n, hit in enumerate(hits, 1):
        p = hit.paragraph
        if parts and used + len(p.text) > max_chars:
            break
        text = _DELIMITER.sub("", p.text)[:max_chars]
        parts.append(render("passage", directory, n=n, where=where(p), text=text).strip())
        used += len(text)
    return "\n\n".join(parts), len(parts)


def history_block(history: Sequence[dict]) -> str:
    lines = []
    for m in list(history)[-HISTORY_TURNS:]:
        who = "用户" if m.get("role") == "user" else "助手"
        lines.append(f"{who}：{_MARKER.sub('', str(m.get('content', '')))[:HISTORY_CHARS].strip()}")
    return "\n".join(lines)


def answer_messages(question: str, hits: Sequence, history: Sequence[dict] = (), max_chars: int = 1800,
                    directory: Path | None = None) -> tuple[list[dict], int]:
    """Chat messages asking QUESTION about the numbered HITS, and how many passages they carry."""
    block, k = passages_block(hits, max_chars, directory)
    past = history_block(history)
    user = render("answer", directory, passages=block, question=question,
                  history=f"此前的对话（只用于理解问题）：\n{past}\n\n" if past else "")
    return [{"role": "system", "content": template("system", directory).strip()},
            {"role": "user", "content": user.strip()}], k


def condense_messages(question: str, history: Sequence[dict], directory: Path | None = None) -> list[dict]:
    return [{"role": "user", "content": render("condense", directory, question=question,
                                               history=history_block(history)).strip()}]
