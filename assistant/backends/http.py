"""The HTTP both network backends need: one POST, its errors turned into plain BackendErrors, a hard deadline.

httpx directly rather than llama-index's OpenAILike/Ollama or the openai SDK: those retry on their own, read
timeouts per chunk rather than per answer, accept a stream that ends without its terminator as complete, and cost a
second of imports. Here connection refused, timeout, HTTP status, malformed JSON and a cut stream each become one
line a person can act on.
"""
from __future__ import annotations

import json
import time
from typing import Any, Iterator

from assistant.backends import BackendError

STATUS = {
    400: "请求被拒绝（HTTP 400）：模型名或参数不被接受",
    401: "认证失败（HTTP 401）：API 密钥缺失或无效",
    403: "没有权限（HTTP 403）：API 密钥无权使用该模型",
    404: "地址或模型不存在（HTTP 404）",
    408: "服务器超时（HTTP 408）",
    429: "请求过多或额度用尽（HTTP 429）",
}


def status_reason(code: int, body: bytes) -> str:
    reason = STATUS.get(code) or (f"服务器出错（HTTP {code}）" if code >= 500 else f"请求失败（HTTP {code}）")
    detail = _error_detail(body)
    return f"{reason}：{detail}" if detail else reason


def _error_detail(body: bytes) -> str:
    try:
        data = json.loads(body)
        err = data.get("error", data) if isinstance(data, dict) else data
        msg = err.get("message") if isinstance(err, dict) else err
        return str(msg)[:160] if msg else ""
    except (ValueError, AttributeError):
        return body.decode("utf-8", "replace").strip()[:160]


def lines(backend: str, url: str, payload: dict[str, Any], headers: dict[str, str], timeout: float,
          method: str = "POST") -> Iterator[str]:
    """The response body's lines as they arrive; BackendError for every failure, including the deadline."""
    import httpx

    deadline = time.monotonic() + timeout
    limits = httpx.Timeout(timeout, connect=min(timeout, 10.0))
    try:
        with httpx.Client(timeout=limits) as client:
            with client.stream(method, url, json=payload if method == "POST" else None, headers=headers) as r:
                if r.status_code >= 400:
                    raise BackendError(backend, status_reason(r.status_code, r.read()[:2000]))
                for line in r.iter_lines():
                    if time.monotonic() > deadline:
                        raise BackendError(backend, f"超过 {timeout:g} 秒仍未答完（llm_timeout）")
                    yield line
    except httpx.ConnectError as e:
        raise BackendError(backend, f"无法连接 {url}（{_short(e)}）：服务是否已启动？") from None
    except httpx.TimeoutException:
        raise BackendError(backend, f"{timeout:g} 秒内没有回应（llm_timeout）") from None
    except (httpx.RemoteProtocolError, httpx.ReadError) as e:
        raise BackendError(backend, f"连接中途断开（{_short(e)}）") from None
    except httpx.HTTPError as e:
        raise BackendError(backend, f"HTTP 错误：{_short(e)}") from None


def get_json(backend: str, url: str, headers: dict[str, str], timeout: float) -> Any:
    return parse(backend, "\n".join(lines(backend, url, {}, headers, timeout, method="GET")))


def post_json(backend: str, url: str, payload: dict[str, Any], headers: dict[str, str], timeout: float) -> Any:
    return parse(backend, "\n".join(lines(backend, url, payload, headers, timeout)))


def parse(backend: str, text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        raise BackendError(backend, f"返回的不是有效的 JSON：{text[:80]!r}") from None


def _short(e: Exception) -> str:
    return (str(e) or type(e).__name__).splitlines()[0][:120]
