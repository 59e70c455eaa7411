"""/docs: the endpoints read from the OpenAPI schema, as one self-contained page. FastAPI's Swagger UI loads its
scripts from a CDN, which a machine without internet (like ours) cannot reach."""
from __future__ import annotations

from html import escape
from typing import Any


def _fields(schema: dict[str, Any], spec: dict[str, Any]) -> list[tuple[str, str, bool, str]]:
    if "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    required = set(schema.get("required", ()))
    out = []
    for name, prop in schema.get("properties", {}).items():
        kinds = [x.get("type") or x.get("$ref", "").rsplit("/", 1)[-1] for x in prop.get("anyOf", [prop])]
        kind = " | ".join(k for k in kinds if k and k != "null") or "any"
        if prop.get("type") == "array":
            kind = "list"
        out.append((name, kind, name in required, prop.get("description", "")))
    return out


def docs_html(spec: dict[str, Any]) -> str:
    rows = []
    for path, methods in spec.get("paths", {}).items():
        for method, op in methods.items():
            rows.append(f"<h2><code>{method.upper()} {escape(path)}</code> — {escape(op.get('summary', ''))}</h2>")
            params = [(p["name"], p.get("schema", {}).get("type", ""), p.get("required", False),
                       p.get("description", "")) for p in op.get("parameters", [])]
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            fields = params + (_fields(body, spec) if body else [])
            if fields:
                rows.append("<table><tr><th>field</th><th>type</th><th>required</th><th></th></tr>" + "".join(
                    f"<tr><td><code>{escape(n)}</code></td><td>{escape(t)}</td><td>{'yes' if r else ''}</td>"
                    f"<td>{escape(d)}</td></tr>" for n, t, r, d in fields) + "</table>")
    info = spec.get("info", {})
    return f"""<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>{escape(info.get('title', 'API'))}</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em}}code{{background:#f3f3f3}}
table{{border-collapse:collapse}}td,th{{border:1px solid #ddd;padding:.2em .5em;text-align:left}}h2{{font-size:1.1em}}</style>
</head><body><h1>{escape(info.get('title', 'API'))} <small>{escape(info.get('version', ''))}</small></h1>
<p>{escape(info.get('description', ''))}</p>
<p>Machine-readable schema: <a href="openapi.json">/openapi.json</a>. With an API key set on the server, send
<code>Authorization: Bearer &lt;key&gt;</code>. MCP (streamable HTTP): <code>/mcp</code>, tools
<code>ask_report</code> and <code>get_paragraph</code>.</p>
{''.join(rows)}</body></html>"""
