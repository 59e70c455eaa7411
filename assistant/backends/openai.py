"""Any OpenAI-compatible chat-completions server: hosted (OpenAI, DeepSeek, DashScope, Moonshot, Zhipu…) or local
(vLLM, llama.cpp's server, LM Studio, Ollama's /v1). Streaming is server-sent events ending in ``data: [DONE]``."""
from __future__ import annotations

import os
from typing import Iterator

from assistant.backends import BackendError, http
from assistant.backends.chat import ChatBackend


class OpenAIBackend(ChatBackend):
    name = "openai"

    def __init__(self, config, environ=None):
        super().__init__(config)
        self.base_url = config.openai_base_url.rstrip("/")
        self.model = config.openai_model
        self.key_env = config.openai_api_key_env
        self._environ = os.environ if environ is None else environ

    def describe(self) -> str:
        return f"openai {self.model or '(no model)'} @ {self.base_url}"

    def _headers(self) -> dict[str, str]:
        key = self._environ.get(self.key_env, "") if self.key_env else ""
        return {"Authorization": f"Bearer {key}"} if key else {}

    def _need_model(self) -> None:
        if not self.model:
            raise BackendError(self.name, "没有设置模型名：设置 openai_model（如 ASSISTANT_OPENAI_MODEL=deepseek-chat）")

    def _chat(self, messages: list[dict], max_tokens: int, stream: bool) -> Iterator[str]:
        self._need_model()
        payload = {"model": self.model, "messages": messages, "temperature": self.temperature,
                   "max_tokens": max_tokens, "stream": stream}
        url = f"{self.base_url}/chat/completions"
        if not stream:
            data = http.post_json(self.name, url, payload, self._headers(), self.timeout)
            try:
                content = data["choices"][0]["message"]["content"]
            except (KeyError, IndexError, TypeError):
                raise BackendError(self.name, f"回答的格式不对（没有 choices[0].message.content）：{str(data)[:80]}") from None
            yield content or ""
            return
        finished = False
        for line in http.lines(self.name, url, payload, self._headers(), self.timeout):
            if not line.startswith("data:"):
                continue  # blank separators, ": keep-alive" comments, "event:" lines
            data = line[5:].strip()
            if data == "[DONE]":
                finished = True
                break
            chunk = http.parse(self.name, data)
            if isinstance(chunk, dict) and chunk.get("error"):
                raise BackendError(self.name, f"服务器报错：{http._error_detail(data.encode())}")
            try:
                choice = chunk["choices"][0] if chunk.get("choices") else {}
                piece = (choice.get("delta") or {}).get("content")
            except (AttributeError, TypeError, IndexError, KeyError):
                raise BackendError(self.name, f"流式数据的格式不对：{data[:80]}") from None
            if piece:
                yield piece
            finished = finished or bool(choice.get("finish_reason"))
        if not finished:
            raise BackendError(self.name, "流式回答中途断开（没有收到结束标记）")

    def check(self) -> str:
        self._need_model()
        if self.key_env and not self._environ.get(self.key_env) and not _local(self.base_url):
            raise BackendError(self.name, f"环境变量 {self.key_env} 没有设置：托管服务需要 API 密钥")
        try:
            data = http.get_json(self.name, f"{self.base_url}/models", self._headers(), min(self.timeout, 10))
            ids = [m.get("id") for m in data.get("data", [])] if isinstance(data, dict) else []
        except BackendError as e:
            if "HTTP 404" not in e.reason:
                raise
            ids = []  # some servers have no /models; the one-line prompt will tell
        if ids and self.model not in ids and len(ids) > 1:
            raise BackendError(self.name, f"服务器上没有模型 '{self.model}'（有：{', '.join(map(str, ids[:8]))}）")
        return self.describe()


def _local(url: str) -> bool:
    return any(h in url for h in ("://127.0.0.1", "://localhost", "://[::1]", "://0.0.0.0"))


__all__ = ["OpenAIBackend"]
