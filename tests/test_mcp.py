"""MCP over streamable HTTP at /mcp, called by the `mcp` package's own client against a real server."""
from __future__ import annotations

import anyio
import httpx
import pytest
from live_server import LiveServer, server  # noqa: F401  (fixture)
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client

QUESTION = "巡视组从哪天开始进驻？"


def session_run(url: str, work, headers: dict | None = None):
    async def main():
        async with httpx.AsyncClient(headers=headers, timeout=60) as http:
            async with streamable_http_client(url, http_client=http) as (read, write, _):
                async with ClientSession(read, write) as session:
                    await session.initialize()
                    return await work(session)

    return anyio.run(main)


def test_lists_the_tools(server):
    async def work(session):
        return {t.name: t for t in (await session.list_tools()).tools}

    tools = session_run(server.url + "/mcp", work)
    assert set(tools) == {"ask_report", "get_paragraph"}
    assert tools["ask_report"].inputSchema["required"] == ["question"]
    assert "number" in tools["get_paragraph"].inputSchema["properties"]


def test_ask_report_answers_with_citations(server, assistant):
    async def work(session):
        return await session.call_tool("ask_report", {"question": QUESTION})

    result = session_run(server.url + "/mcp", work)
    expected = assistant.ask(QUESTION)
    assert not result.isError
    text = result.content[0].text
    assert expected.answer in text and "来源" in text and "第2段" in text
    assert [c["quote"] for c in result.structuredContent["citations"]] == [c.quote for c in expected.citations]


def test_get_paragraph_and_its_errors(server, assistant):
    async def work(session):
        return (await session.call_tool("get_paragraph", {"number": 2}),
                await session.call_tool("get_paragraph", {"number": 999}),
                await session.call_tool("ask_report", {"question": "   "}))

    found, missing, empty = session_run(server.url + "/mcp", work)
    source = assistant.retriever.paragraphs[0].source
    assert not found.isError and assistant.paragraph(source, 2).text in found.content[0].text
    assert missing.isError and "999" in missing.content[0].text
    assert empty.isError and "问题是空的" in empty.content[0].text


def test_mcp_needs_the_key_when_set(assistant, report_config):
    from assistant.serving.http import build_api

    async def work(session):
        return [t.name for t in (await session.list_tools()).tools]

    with LiveServer(build_api(assistant, report_config, environ={"ASSISTANT_API_KEY": "k-123"})) as s:
        assert "ask_report" in session_run(s.url + "/mcp", work, {"Authorization": "Bearer k-123"})
        with pytest.raises(BaseException):
            session_run(s.url + "/mcp", work)
