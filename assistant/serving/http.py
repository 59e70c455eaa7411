"""The HTTP API on the web chat's port: /api (the JSON answer contract), /v1 (OpenAI-compatible, openai_compat.py)
and /mcp (mcp_server.py). Every error is JSON ``{"error": {"message", "type", "code"}}`` with its status."""
from __future__ import annotations

import contextlib
import hmac
import logging
import os
from typing import Annotated, Mapping

import anyio
from fastapi import FastAPI, File, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, Field

from assistant import __version__
from assistant.answering.assistant import Assistant
from assistant.answering.question import MAX_QUESTION_CHARS
from assistant.backends import choices
from assistant.config import Config
from assistant.contract import Answer
from assistant.ingest.reader import SUFFIXES
from assistant.serving.errors import ApiError, install_errors, send_error
from assistant.serving.library import Library, LibraryError
from assistant.serving.live import LiveAssistant
from assistant.serving.service import Service

log = logging.getLogger(__name__)
MAX_BODY_BYTES = 1_000_000
GUARDED = ("/api/", "/v1/", "/mcp")  # the web chat ("/", gradio) gets gradio's login with the same key (server.py)
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def api_key(config: Config, environ: Mapping[str, str]) -> str | None:
    """The bearer key the API requires, from the environment variable the settings name (None: open)."""
    return environ.get(config.api_key_env) or None


class Message(BaseModel):
    role: str = Field(description="'user' or 'assistant'; other roles are ignored", examples=["user"])
    content: str


class ParagraphOut(BaseModel):
    source: str
    paragraph: int
    section: str | None
    text: str


class AskRequest(BaseModel):
    question: str = Field(description=f"the question, at most {MAX_QUESTION_CHARS} characters",
                          examples=["巡视组从哪天开始进驻？"])
    history: list[Message] | None = Field(None, description="earlier turns, OpenAI style, oldest first")
    top_k: Annotated[int, Field(strict=True, ge=1, le=50)] | None = Field(
        None, description="how many paragraphs to retrieve (default: the top_k setting)")
    backend: str | None = Field(None, description="answer backend (default: the server's); see /api/health")
    id: str | int | None = Field(None, description="echoed back in the answer, for matching replies to requests")
    sources: list[str] | None = Field(None, description="answer only from these reports (file names, as listed by "
                                                        "/api/sources; default: all)", examples=[None])


def _bearer_ok(headers: list[tuple[bytes, bytes]], key: str) -> bool:
    value = next((v for k, v in headers if k == b"authorization"), b"").decode("latin-1")
    scheme, _, token = value.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), key.encode())


class Guard:
    """ASGI middleware for the API paths: the bearer key and a cap on the request body."""

    def __init__(self, app, key: str | None, max_body: int = MAX_BODY_BYTES, uploads: int = MAX_BODY_BYTES):
        self.app, self.key, self.max_body, self.uploads = app, key, max_body, uploads

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not scope["path"].startswith(GUARDED):
            return await self.app(scope, receive, send)
        if self.key and not _bearer_ok(scope["headers"], self.key):
            return await send_error(send, ApiError(
                401, "missing or wrong API key: send the header 'Authorization: Bearer <key>'",
                "authentication_error", "invalid_api_key", {"WWW-Authenticate": "Bearer"}))
        limit = self.uploads if scope["path"] == "/api/sources" else self.max_body  # uploads carry report files
        length = next((v for k, v in scope["headers"] if k == b"content-length"), b"0")
        if length.isdigit() and int(length) > limit:
            return await send_error(send, _too_large(limit))
        received, refused, started = 0, False, False

        async def limited_receive():
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit and not refused:
                    refused = True
                    await send_error(send, _too_large(limit))
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            if not refused:  # the 413 went out already; the app's own reply to a cut-off body is dropped
                await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception as e:  # caught here, not by an app handler, so uvicorn keeps the connection open
            log.exception("internal error on %s %s", scope.get("method"), scope["path"])
            if not started and not refused:
                await send_error(send, ApiError(500, f"internal error ({type(e).__name__}); see the server log",
                                                 "server_error", "internal_error"))


def _too_large(limit: int) -> ApiError:
    return ApiError(413, f"request body over {limit // 1000} kB", code="body_too_large")


def library_for(live: LiveAssistant, config: Config, host: str, environ: Mapping[str, str]) -> Library:
    """Who may change the reports: anyone who reaches a local server; on another host, only with the API key set
    (the API's bearer key, and the web chat's login)."""
    open_to_all = host not in LOOPBACK and not api_key(config, environ)
    return Library(live, config, allowed=not open_to_all,
                   why_not=f"监听 {host} 而没有设置 {config.api_key_env}：为安全起见，不允许通过网页或 API 修改报告")


def _library_error(e: LibraryError) -> ApiError:
    codes = {403: "uploads_disabled", 404: "source_not_found", 409: "conflict", 413: "upload_too_large",
             415: "unsupported_type", 422: "unreadable_report"}
    return ApiError(e.status, str(e), code=codes.get(e.status, "invalid_upload"))


def build_api(assistant: "Assistant | LiveAssistant", config: Config, *, host: str = "127.0.0.1",
              environ: Mapping[str, str] | None = None, library: Library | None = None) -> FastAPI:
    """The FastAPI app with /api, /v1, /mcp and /docs; server.create_app mounts the web chat beside them."""
    from assistant.serving.docs_page import docs_html
    from assistant.serving.mcp import build_mcp
    from assistant.serving.openai import openai_router

    service = Service(assistant, config)
    environ = os.environ if environ is None else environ
    library = library or library_for(service.live, config, host, environ)
    mcp = build_mcp(service, public=host not in LOOPBACK)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        async with mcp.session_manager.run():
            yield

    app = FastAPI(title="问答助手 API", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Answers questions about the indexed reports; every answer cites verbatim quotes "
                              "from numbered paragraphs. Errors: {\"error\": {\"message\", \"type\", \"code\"}}.")
    app.state.service, app.state.library = service, library
    install_errors(app)
    upload_body = config.upload_max_mb * config.upload_max_files * 1024 * 1024 + MAX_BODY_BYTES
    app.add_middleware(Guard, key=api_key(config, environ), uploads=upload_body)

    @app.post("/api/ask", response_model=Answer, summary="Answer a question with citations",
              responses={400: {"description": "bad body"}, 401: {"description": "missing or wrong key"},
                         413: {"description": "question too long"}, 503: {"description": "index rebuilding"}})
    async def ask(req: AskRequest):
        history = [m.model_dump() for m in req.history] if req.history is not None else None
        answer = await service.run(service.ask, req.question, history, req.top_k, req.backend, req.id, req.sources)
        return JSONResponse(answer.to_dict())

    @app.get("/api/sources", summary="The indexed reports: file, title, paragraphs, format and date")
    async def sources():
        return {"sources": await service.run(library.listing)}

    @app.post("/api/sources", status_code=201, summary="Add reports (multipart field 'files'; a file of an "
              "indexed name replaces that report)",
              responses={400: {"description": "bad file name or empty file"}, 403: {"description": "changes not "
                         "allowed here"}, 409: {"description": "another change is running"}, 413: {"description":
                         "too large or too many files"}, 415: {"description": "unsupported file type"},
                         422: {"description": "not a readable report"}})
    async def add_sources(files: Annotated[list[UploadFile], File(description=f"report files "
                                                                   f"({', '.join(SUFFIXES)})")]):
        received = [(f.filename or "", await f.read()) for f in files]
        try:
            change = await anyio.to_thread.run_sync(library.add, received)
        except LibraryError as e:
            raise _library_error(e) from None
        return JSONResponse({"added": change.added, "summary": change.summary(), "skipped": change.report.skipped,
                             "sources": library.listing()}, 201)

    @app.delete("/api/sources/{name:path}", summary="Remove a report from the index (its file is kept in "
                "data_dir/.removed/)", responses={403: {"description": "changes not allowed here"},
                                                  404: {"description": "no such report"},
                                                  409: {"description": "the last report, or another change running"}})
    async def remove_source(name: str):
        try:
            change = await anyio.to_thread.run_sync(library.remove, name)
        except LibraryError as e:
            raise _library_error(e) from None
        return {"removed": change.removed, "summary": change.summary(), "sources": library.listing()}

    @app.get("/api/health", summary="Index, embedder and backends")
    async def health():
        await service.refresh()
        if service.is_rebuilding:
            return JSONResponse({"status": "rebuilding", "index_loaded": False}, 503, {"Retry-After": "10"})
        a = service.assistant
        sources = service.sources()
        return {"status": "ok", "index_loaded": True, "paragraphs": sum(sources.values()),
                "sources": [{"source": s, "paragraphs": n} for s, n in sources.items()],
                "embedder": a.retriever.embedder.name, "backend": a.backend.name,
                "backends": choices.keys(a.config),
                "configured": [{"key": c.key, "label": c.label, "backend": c.backend}
                               for c in choices.configured(a.config)], "careful": a.config.careful,
                "version": __version__,
                "indexing": library.progress}

    @app.get("/api/paragraph", response_model=ParagraphOut, summary="One paragraph by number (what a citation points to)")
    async def paragraph(n: Annotated[int, Query(ge=1, description="paragraph number")],
                        source: Annotated[str | None, Query(description="report; optional with one report")] = None):
        await service.refresh()
        p = service.paragraph(n, source)
        return {"source": p.source, "paragraph": p.paragraph, "section": p.section, "text": p.text}

    app.include_router(openai_router(service))

    @app.get("/docs", include_in_schema=False)
    async def docs():
        return HTMLResponse(docs_html(app.openapi()))

    def known() -> dict[str, list[str]]:
        """Path → methods of the documented routes. From the OpenAPI schema (built once, on first use): routers
        added with include_router are not plain entries of app.routes on recent FastAPI."""
        return {path: sorted(m.upper() for m in ops) for path, ops in app.openapi()["paths"].items()}

    # Without this, gradio (mounted at "/") would answer unknown /api and /v1 paths with its own page.
    @app.api_route("/api/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False)
    @app.api_route("/v1/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False)
    async def unknown(request: Request):
        path, methods = request.url.path, known()
        if path in methods:
            raise ApiError(405, f"{request.method} is not allowed on {path} (use {', '.join(methods[path])})",
                           code="method_not_allowed", headers={"Allow": ", ".join(methods[path])})
        raise ApiError(404, f"no endpoint {path}; see /docs", code="not_found")

    app.router.routes.extend(mcp.streamable_http_app().routes)  # POST/GET/DELETE /mcp
    return app
