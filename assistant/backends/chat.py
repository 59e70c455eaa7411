"""What every model backend shares: the prompt, the answer and stream shapes, the deadline, the health check.

A provider module implements only ``_chat(messages, max_tokens, stream)``: an iterator of text pieces that raises
BackendError for anything that goes wrong (it never returns a silently truncated answer).
"""
from __future__ import annotations

import time
from typing import Iterator, Sequence

from assistant.answering.judge import Assessment
from assistant.answering.retrieve import Hit, Query
from assistant.backends import BackendError, Draft, prompts

CONDENSE_MAX_TOKENS = 80
PING_PROMPT = [{"role": "user", "content": "请只回复两个字：你好"}]


class ChatBackend:
    name = "chat"
    grounded = False  # the Assistant verifies its citations

    def __init__(self, config):
        self.timeout = float(config.llm_timeout)
        self.temperature = float(config.llm_temperature)
        self.max_tokens = int(config.llm_max_tokens)
        self.prompt_chars = int(config.llm_prompt_chars)

    # -- provider hook -------------------------------------------------------------------------------------
    def _chat(self, messages: list[dict], max_tokens: int, stream: bool) -> Iterator[str]:
        raise NotImplementedError

    def describe(self) -> str:
        """Which model where, for notices and `assistant doctor`."""
        return self.name

    def check(self) -> str:
        """Reachable, model present: a line saying so, or BackendError saying what to fix."""
        return self.describe()

    # -- shared --------------------------------------------------------------------------------------------
    def deadline(self) -> float:
        return time.monotonic() + self.timeout

    def expired(self, deadline: float) -> None:
        if time.monotonic() > deadline:
            raise BackendError(self.name, f"超过 {self.timeout:g} 秒仍未答完（llm_timeout）")

    def complete(self, messages: list[dict], max_tokens: int | None = None) -> str:
        text = "".join(self._chat(messages, max_tokens or self.max_tokens, stream=False)).strip()
        if not text:
            raise BackendError(self.name, "模型返回了空回答")
        return text

    def question_for(self, query: Query) -> str:
        return query.condensed

    def answer(self, query: Query, hits: list[Hit], assessment: Assessment, history: Sequence[dict] = ()) -> Draft:
        messages, k = prompts.answer_messages(self.question_for(query), hits, history, self.prompt_chars)
        return Draft(self.complete(messages), k=k)

    def stream(self, query: Query, hits: list[Hit], assessment: Assessment,
               history: Sequence[dict] = ()) -> Iterator[str | Draft]:
        messages, k = prompts.answer_messages(self.question_for(query), hits, history, self.prompt_chars)
        pieces = []
        for piece in self._chat(messages, self.max_tokens, stream=True):
            if piece:
                pieces.append(piece)
                yield piece
        text = "".join(pieces).strip()
        if not text:
            raise BackendError(self.name, "模型返回了空回答")
        yield Draft(text, k=k)

    def condense(self, question: str, history: Sequence[dict]) -> str:
        """QUESTION rewritten to stand alone, given the conversation before it."""
        text = self.complete(prompts.condense_messages(question, history), CONDENSE_MAX_TOKENS)
        return text.strip().splitlines()[0].strip().strip("“”\"'「」").removeprefix("改写后的问题：").strip()

    def ping(self) -> str:
        """The model's reply to a one-line prompt (raises BackendError)."""
        return self.complete(PING_PROMPT, 16)
