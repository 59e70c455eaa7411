#!/usr/bin/env bash
# HTTP examples for `assistant serve` (web chat, JSON API, OpenAI-compatible API and MCP on one port).
# Run them all with `bash docs/http-examples.sh`; tests/test_api.py runs each one against a live server.
# When the server has ASSISTANT_API_KEY set, add: -H "Authorization: Bearer $ASSISTANT_API_KEY"
BASE=${BASE:-http://127.0.0.1:7860}

# Is the index loaded? How many paragraphs, which embedder and backends?
curl -sS "$BASE/api/health"

# Ask a question: the JSON answer contract (answer, citations with verbatim quotes, retrieved paragraphs)
curl -sS "$BASE/api/ask" -H 'Content-Type: application/json' \
  -d '{"question": "巡视组从哪天开始进驻？"}'

# A follow-up with the earlier turns as history, and more paragraphs to choose from
curl -sS "$BASE/api/ask" -H 'Content-Type: application/json' \
  -d '{"question": "那交通方面呢？", "top_k": 8, "history": [{"role": "user", "content": "巡视发现了哪些问题？"}]}'

# The paragraph a citation points to (source may be left out while one report is indexed)
curl -sS "$BASE/api/paragraph?n=2"

# OpenAI-compatible chat completion; the message carries "citations" and its text ends with a 来源 list
curl -sS "$BASE/v1/chat/completions" -H 'Content-Type: application/json' \
  -d '{"model": "report-assistant", "messages": [{"role": "user", "content": "巡视组从哪天开始进驻？"}]}'

# The same, streamed as server-sent events; the last chunk before [DONE] carries the citations
curl -sS -N "$BASE/v1/chat/completions" -H 'Content-Type: application/json' \
  -d '{"model": "report-assistant", "stream": true, "messages": [{"role": "user", "content": "巡视组从哪天开始进驻？"}]}'

# The model list chat front ends read
curl -sS "$BASE/v1/models"
