"""How the HTTP API fails: JSON ``{"error": {"message", "type", "code"}}`` (OpenAI's shape, which chat front ends
already display) with the right status, for every route, including FastAPI's own validation errors."""
from __future__ import annotations

import json
from typing import Any, Mapping

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant import backends as backends_mod
from assistant.errors import AssistantError, QuestionError


class ApiError(Exception):
    """An error with the HTTP status and OpenAI-style type/code it is reported with."""

    def __init__(self, status: int, message: str, type: str = "invalid_request_error", code: str | None = None,
                 headers: Mapping[str, str] | None = None):
        super().__init__(message)
        self.status, self.message, self.type, self.code, self.headers = status, message, type, code, headers


def error_body(message: str, type: str = "invalid_request_error", code: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": type, "code": code}}


def error_response(e: ApiError) -> JSONResponse:
    return JSONResponse(error_body(e.message, e.type, e.code), e.status, headers=dict(e.headers or {}))


async def send_error(send, e: ApiError) -> None:
    body = json.dumps(error_body(e.message, e.type, e.code), ensure_ascii=False).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    headers += [(k.lower().encode(), v.encode()) for k, v in (e.headers or {}).items()]
    await send({"type": "http.response.start", "status": e.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _readable(exc: RequestValidationError) -> str:
    problems = []
    for err in exc.errors():
        where = ".".join(str(x) for x in err.get("loc", ()) if x != "body") or "body"
        if err.get("type") == "json_invalid":
            return "request body is not valid JSON"
        if where == "body" and err.get("type") in ("missing", "model_attributes_type", "dict_type"):
            return "request body must be a JSON object, e.g. {\"question\": \"巡视组从哪天开始进驻？\"}"
        problems.append(f"{where}: {err.get('msg')}")
    return "; ".join(problems) or "invalid request"


def install_errors(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(request: Request, e: ApiError):
        return error_response(e)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, e: RequestValidationError):
        return error_response(ApiError(400, _readable(e), code="invalid_request"))

    @app.exception_handler(QuestionError)
    async def bad_question(request: Request, e: QuestionError):
        return error_response(ApiError(400, str(e), code="invalid_question"))

    @app.exception_handler(AssistantError)
    async def assistant_error(request: Request, e: AssistantError):
        # A model server that failed is a bad gateway; anything else is ours.
        status = 502 if isinstance(e, getattr(backends_mod, "BackendError", ())) else 500
        return error_response(ApiError(status, str(e), "server_error", type(e).__name__))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, e: StarletteHTTPException):
        return error_response(ApiError(e.status_code, str(e.detail), code=f"http_{e.status_code}",
                                       headers=getattr(e, "headers", None)))
