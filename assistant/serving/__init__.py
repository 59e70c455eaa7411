"""Stage 5, serving people and tools: ``service`` (what every front answers from), ``http`` (/api), ``openai``
(/v1), ``mcp`` (/mcp), ``web`` (the gradio chat, the only gradio import) and ``server`` (one port for all)."""
