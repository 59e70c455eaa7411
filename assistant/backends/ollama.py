"""Ollama's native API: POST /api/chat, streaming as one JSON object per line, the last with ``"done": true``."""
from __future__ import annotations

from typing import Iterator

from assistant.backends import BackendError, http
from assistant.backends.chat import ChatBackend


class OllamaBackend(ChatBackend):
    name = "ollama"

    def __init__(self, config):
        super().__init__(config)
        self.url = config.ollama_url.rstrip("/")
        self.model = config.ollama_model

    def describe(self) -> str:
        return f"ollama {self.model or '(no model)'} @ {self.url}"

    def _need_model(self) -> None:
        if not self.model:
            raise BackendError(self.name, "没有设置模型名：设置 ollama_model（如 ASSISTANT_OLLAMA_MODEL=qwen2.5:7b）")

    def _chat(self, messages: list[dict], max_tokens: int, stream: bool) -> Iterator[str]:
        self._need_model()
        payload = {"model": self.model, "messages": messages, "stream": stream,
                   "options": {"temperature": self.temperature, "num_predict": max_tokens}}
        done = False
        for line in http.lines(self.name, f"{self.url}/api/chat", payload, {}, self.timeout):
            if not line.strip():
                continue
            chunk = http.parse(self.name, line)
            if not isinstance(chunk, dict):
                raise BackendError(self.name, f"回答的格式不对：{line[:80]}")
            if chunk.get("error"):
                raise BackendError(self.name, f"服务器报错：{str(chunk['error'])[:160]}")
            piece = (chunk.get("message") or {}).get("content")
            if piece:
                yield piece
            if chunk.get("done"):
                done = True
                break
        if not done:
            raise BackendError(self.name, "回答中途断开（没有收到 done）" if stream else "回答的格式不对（没有 done）")

    def check(self) -> str:
        self._need_model()
        data = http.get_json(self.name, f"{self.url}/api/tags", {}, min(self.timeout, 10))
        names = [m.get("name") for m in data.get("models", [])] if isinstance(data, dict) else []
        if self.model not in names and f"{self.model}:latest" not in names:
            raise BackendError(self.name, f"Ollama 里没有模型 '{self.model}'：运行 ollama pull {self.model}"
                                          f"（已有：{', '.join(map(str, names[:8])) or '无'}）")
        return self.describe()
