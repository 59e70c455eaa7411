"""Conversations kept in the person's own browser: gradio's BrowserState (localStorage, encrypted) holds them, these
pure functions switch, name, delete and export them. Nothing of a conversation is stored on the server.

The stored value: ``{"current": id or None, "chats": [{"id", "title", "named", "messages", "turns", "updated"}]}``,
newest first. ``messages`` are the chat's rendered messages (shown again as they were), ``turns`` what follow-ups
and the export read (question, answer, its 来源 lines).
"""
from __future__ import annotations

import re
import secrets
import time
from typing import Any

MAX_CHATS = 30  # the oldest beyond this are dropped (localStorage holds ~5 MB per site)
MAX_TURNS = 60  # per conversation: the earliest turns beyond this are dropped
TITLE = 24  # characters of the first question that name a conversation


def empty() -> dict[str, Any]:
    return {"current": None, "chats": []}


def valid(store: Any) -> dict[str, Any]:
    """STORE as written by this module, or an empty one (another app's value, an older format, tampering)."""
    if not isinstance(store, dict) or not isinstance(store.get("chats"), list):
        return empty()
    chats = [c for c in store["chats"] if isinstance(c, dict) and isinstance(c.get("id"), str)
             and isinstance(c.get("messages"), list) and isinstance(c.get("turns"), list)]
    current = store.get("current") if any(c["id"] == store.get("current") for c in chats) else None
    return {"current": current, "chats": chats}


def _title(turns: list[dict]) -> str:
    first = next((str(t.get("question") or "") for t in turns), "")
    first = re.sub(r"\s+", " ", first).strip()
    return (first[:TITLE] + "…" if len(first) > TITLE else first) or "新对话"


def save(store: Any, messages: list, turns: list) -> dict[str, Any]:
    """The current conversation, as it is now, first in the list (a new one when there is none yet)."""
    store = valid(store)
    if not turns:
        return store
    cid = store["current"] or secrets.token_hex(6)
    old = next((c for c in store["chats"] if c["id"] == cid), {})
    keep = 2 * MAX_TURNS  # two messages per turn
    chat = {"id": cid, "title": old.get("title") if old.get("named") else _title(turns), "named": bool(old.get("named")),
            "messages": list(messages)[-keep:], "turns": list(turns)[-MAX_TURNS:], "updated": int(time.time())}
    rest = [c for c in store["chats"] if c["id"] != cid]
    return {"current": cid, "chats": ([chat] + rest)[:MAX_CHATS]}


def start_new(store: Any) -> dict[str, Any]:
    """No current conversation: the next question starts one (the others stay in the list)."""
    return {**valid(store), "current": None}


def switch(store: Any, cid: str | None) -> tuple[dict[str, Any], list, list]:
    """(store, messages, turns) of conversation CID, now the current one; an unknown CID starts a new one."""
    store = valid(store)
    chat = next((c for c in store["chats"] if c["id"] == cid), None)
    if chat is None:
        return start_new(store), [], []
    return {**store, "current": cid}, list(chat["messages"]), list(chat["turns"])


def current(store: Any) -> tuple[list, list]:
    """The current conversation's (messages, turns), empty when there is none."""
    return switch(store, valid(store)["current"])[1:]


def delete(store: Any, cid: str | None) -> dict[str, Any]:
    store = valid(store)
    chats = [c for c in store["chats"] if c["id"] != cid]
    return {"current": None if store["current"] == cid else store["current"], "chats": chats}


def rename(store: Any, cid: str | None, title: str) -> dict[str, Any]:
    store = valid(store)
    title = re.sub(r"\s+", " ", str(title or "")).strip()[:60]
    chats = [{**c, "title": title or _title(c["turns"]), "named": bool(title)} if c["id"] == cid else c
             for c in store["chats"]]
    return {**store, "chats": chats}


def choices(store: Any) -> list[tuple[str, str]]:
    """(label, id) for the conversation picker, newest first."""
    out = []
    for c in valid(store)["chats"]:
        when = time.strftime("%m-%d %H:%M", time.localtime(c.get("updated") or 0))
        out.append((f"{c.get('title') or '新对话'} · {when}", c["id"]))
    return out


def title_of(store: Any) -> str:
    store = valid(store)
    return next((c.get("title") or "" for c in store["chats"] if c["id"] == store["current"]), "")


def markdown(store: Any, cid: str | None = None) -> str:
    """One conversation (the current one by default) as Markdown: each question, its answer and its 来源 lines."""
    store = valid(store)
    cid = cid or store["current"]
    chat = next((c for c in store["chats"] if c["id"] == cid), None)
    if chat is None:
        return ""
    parts = [f"# {chat.get('title') or '对话'}", ""]
    for t in chat["turns"]:
        parts += [f"**问：** {t.get('question', '')}", ""]
        if t.get("answer"):
            parts += [f"**答：** {t['answer']}", ""]
            if t.get("sources"):
                parts += [str(t["sources"]), ""]
        else:
            parts += [f"**出错：** {t.get('error', '')}", ""]
    return "\n".join(parts).rstrip() + "\n"
