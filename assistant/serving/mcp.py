"""MCP tools for agents (streamable HTTP at /mcp): ask_report answers with citations, get_paragraph shows what a
citation points to. Built on the `mcp` package's FastMCP, mounted on the API app by api.build_api."""
from __future__ import annotations

from typing import TYPE_CHECKING

from mcp.server.fastmcp import FastMCP
from mcp.server.transport_security import TransportSecuritySettings
from mcp.types import CallToolResult, TextContent

from assistant.errors import AssistantError
from assistant.serving.errors import ApiError

if TYPE_CHECKING:
    from assistant.serving.service import Service

INSTRUCTIONS = ("Answers questions about the indexed Chinese reports. Every answer quotes numbered paragraphs; "
                "cite them as given. Use get_paragraph to read the whole paragraph a citation points to.")


def _text(text: str, error: bool = False, structured: dict | None = None) -> CallToolResult:
    return CallToolResult(content=[TextContent(type="text", text=text)], structuredContent=structured, isError=error)


def build_mcp(service: "Service", public: bool = False) -> FastMCP:
    """PUBLIC: served on a non-loopback address, where Host headers name the machine, so the DNS-rebinding check
    (which only admits localhost) would refuse every client; the API key is the protection there."""
    security = TransportSecuritySettings(enable_dns_rebinding_protection=False) if public else None
    mcp = FastMCP("report-assistant", instructions=INSTRUCTIONS, streamable_http_path="/mcp", stateless_http=True,
                  transport_security=security, log_level="WARNING")

    @mcp.tool(title="Ask the report")
    async def ask_report(question: str, sources: list[str] | None = None) -> CallToolResult:
        """Answer a question (in Chinese) from the report. The text ends with a 来源 list: each [n] marker with its
        source, paragraph number and verbatim quote; structuredContent.citations has the same as objects.
        SOURCES (optional) keeps the answer to these reports' file names."""
        try:
            # in a worker thread: keep the loop free
            answer = await service.run(service.ask, question, sources=sources)
        except (ApiError, AssistantError) as e:
            return _text(str(e), error=True)
        d = answer.to_dict()
        return _text(answer.format(), structured={"answer": d["answer"], "refused": d["refused"],
                                                  "citations": d["citations"]})

    @mcp.tool(title="Get a paragraph")
    async def get_paragraph(number: int, source: str | None = None) -> CallToolResult:
        """The full text of paragraph NUMBER (as cited: 第N段). SOURCE names the report; it may be left out while
        only one report is indexed."""
        try:
            await service.refresh()
            p = service.paragraph(number, source)
        except ApiError as e:
            return _text(e.message, error=True)
        where = f"{p.source} 第{p.paragraph}段" + (f"（{p.section}）" if p.section else "")
        return _text(f"{where}：\n{p.text}", structured={"source": p.source, "paragraph": p.paragraph,
                                                         "section": p.section, "text": p.text})

    return mcp
