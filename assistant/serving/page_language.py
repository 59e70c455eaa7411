"""The chat page's language, decided before gradio starts: gradio's i18n picks its language once, from the
browser's, when its modules run; a script in the ``head`` setting comes too late (gradio adds it afterwards). This
ASGI middleware puts ``webui/language.js`` first in the page's ``<head>`` — Chinese unless the browser asks for
English first — so gradio's own strings, ours (web_strings.py) and ``<html lang>`` agree."""
from __future__ import annotations

from importlib import resources

SCRIPT = resources.files(__package__).joinpath("webui", "language.js").read_text(encoding="utf-8")


class PageLanguage:
    def __init__(self, app, path: str = "/"):
        self.app, self.path = app, path
        self.tag = f"<script>{SCRIPT}</script>".encode()

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"] != self.path:
            return await self.app(scope, receive, send)
        start: dict | None = None
        chunks: list[bytes] = []

        async def rewrite(message):
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] != "http.response.body" or start is None:
                return await send(message)
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body, headers = b"".join(chunks), list(start.get("headers", []))
            html = dict(headers).get(b"content-type", b"").startswith(b"text/html")
            if html and b"<head>" in body:
                body = body.replace(b"<head>", b"<head>" + self.tag, 1)
                headers = [(k, v) for k, v in headers if k != b"content-length"]
                headers.append((b"content-length", str(len(body)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, rewrite)
