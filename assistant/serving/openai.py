"""OpenAI-compatible chat completions, so chat front ends (Open WebUI, LobeChat, Chatbox, NextChat) can use the
assistant as a model. Citations travel two ways: a ``citations`` list beside the text (on the message, or in the
final stream chunk) and a "来源：" list at the end of the text for front ends that ignore extra fields."""
from __future__ import annotations

import json
import logging
import time
import uuid
from typing import TYPE_CHECKING, Annotated, Any, Iterator

from fastapi import APIRouter
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from assistant.contract import Answer
from assistant.serving.errors import ApiError, error_body

if TYPE_CHECKING:
    from assistant.serving.service import Service

MODEL_ID = "report-assistant"
log = logging.getLogger(__name__)


class ContentPart(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: str
    text: str | None = None


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: str
    content: str | list[ContentPart] | None = None


class ChatRequest(BaseModel):
    """The OpenAI request body; sampling options (temperature, max_tokens, …) are accepted and ignored."""
    model_config = ConfigDict(extra="allow")
    model: str = Field(MODEL_ID, description=f"any name is accepted; /v1/models lists '{MODEL_ID}'")
    messages: list[ChatMessage] = Field(min_length=1, description="the last one must be the user's question")
    stream: bool = False
    top_k: Annotated[int, Field(strict=True, ge=1, le=50)] | None = Field(
        None, description="extension: how many paragraphs to retrieve")
    sources: list[str] | None = Field(None, description="extension: answer only from these reports (file names)")
    n: Annotated[int, Field(strict=True, ge=1)] = Field(1, description="only 1: one answer per question, its "
                                                                        "citations verified")


def text_of(content: str | list[ContentPart] | None) -> str:
    if content is None or isinstance(content, str):
        return content or ""
    if any(part.type != "text" for part in content):
        raise ApiError(400, "only text content parts are supported (got: "
                            f"{', '.join(sorted({p.type for p in content if p.type != 'text'}))})",
                       code="unsupported_content")
    return "".join(part.text or "" for part in content)


def question_and_history(messages: list[ChatMessage]) -> tuple[str, list[dict[str, str]]]:
    """The last message is the question; earlier user/assistant turns are the history (system prompts are ours)."""
    if messages[-1].role != "user":
        raise ApiError(400, f"the last message must have role 'user' (got '{messages[-1].role}')",
                       code="invalid_messages")
    history = [{"role": m.role, "content": text_of(m.content)} for m in messages[:-1]
               if m.role in ("user", "assistant")]
    return text_of(messages[-1].content), history


def with_sources(answer: Answer) -> str:
    sources = answer.sources_text()
    return f"{answer.answer}\n\n{sources}" if sources else answer.answer


def usage(prompt: str, content: str) -> dict[str, int]:
    """Usage in characters (documented: the answer is not written by a tokenizer the client knows)."""
    return {"prompt_tokens": len(prompt), "completion_tokens": len(content),
            "total_tokens": len(prompt) + len(content)}


def completion(answer: Answer, completion_id: str, created: int, prompt: str = "") -> dict[str, Any]:
    citations = answer.to_dict()["citations"]
    content = with_sources(answer)
    return {"id": completion_id, "object": "chat.completion", "created": created, "model": MODEL_ID,
            "choices": [{"index": 0, "finish_reason": "stop", "logprobs": None,
                         "message": {"role": "assistant", "content": content, "refusal": None,
                                     "citations": citations}}],
            "usage": usage(prompt, content)}


def _chunk(completion_id: str, created: int, delta: dict[str, Any], finish: str | None = None) -> str:
    body = {"id": completion_id, "object": "chat.completion.chunk", "created": created, "model": MODEL_ID,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}]}
    return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"


def sse(pieces: Iterator[str | Answer], first: str | Answer, completion_id: str, created: int) -> Iterator[str]:
    """SSE chunks: the role, text pieces as they come, then the sources with the citations, then [DONE]."""
    yield _chunk(completion_id, created, {"role": "assistant", "content": ""})
    try:
        piece = first
        while True:
            if isinstance(piece, Answer):
                sources = piece.sources_text()
                yield _chunk(completion_id, created,
                             {"content": f"\n\n{sources}" if sources else "",
                              "citations": piece.to_dict()["citations"]}, "stop")
                break
            if piece:
                yield _chunk(completion_id, created, {"content": piece})
            piece = next(pieces)
    except Exception as e:  # the status line is long gone: report in the stream, as OpenAI does
        log.exception("streamed answer failed")
        yield f"data: {json.dumps(error_body(f'answer failed: {e}', 'server_error'), ensure_ascii=False)}\n\n"
    yield "data: [DONE]\n\n"


def openai_router(service: "Service") -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["OpenAI-compatible"])

    @router.get("/models", summary="The one model this server offers")
    async def models():
        return {"object": "list", "data": [{"id": MODEL_ID, "object": "model", "created": 0,
                                            "owned_by": "report-assistant"}]}

    @router.post("/chat/completions", summary="Chat completion (stream or not) with citations")
    async def chat(req: ChatRequest):
        if req.n != 1:
            raise ApiError(400, f"n={req.n} is not supported: one answer per question (its citations are verified)",
                           code="unsupported_n")
        question, history = question_and_history(req.messages)
        completion_id, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())
        if not req.stream:
            answer = await service.run(service.ask, question, history, req.top_k, sources=req.sources)
            prompt = "".join(m["content"] for m in history) + question
            return JSONResponse(completion(answer, completion_id, created, prompt))
        pieces = service.stream(question, history, req.top_k, sources=req.sources)
        first = await service.run(next, pieces)  # retrieval; a bad question raises here, while a 400 can be sent
        return StreamingResponse(sse(pieces, first, completion_id, created), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    return router
