"""`assistant serve`: one port for the web chat (gradio), the JSON/OpenAI-compatible HTTP API and MCP."""
from __future__ import annotations

import os

from .config import Config


def offline_environment() -> None:
    """Gradio and its client look for the network at start; this machine (and many users') has none."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    no_proxy = os.environ.get("NO_PROXY", "")
    if "127.0.0.1" not in no_proxy:
        os.environ["NO_PROXY"] = os.environ["no_proxy"] = ",".join(x for x in (no_proxy, "127.0.0.1,localhost") if x)


def create_app(assistant, config: Config):
    """The ASGI app: HTTP API routes (api.py) with the gradio chat (web.py) mounted at '/'."""
    offline_environment()
    import gradio as gr

    from .api import build_api
    from .web import build_ui, mount_options

    app = build_api(assistant, config)
    return gr.mount_gradio_app(app, build_ui(assistant, config), path="/", **mount_options())


def serve(config: Config, host: str = "127.0.0.1", port: int = 7860) -> int:
    offline_environment()
    import uvicorn

    from .answer import Assistant

    assistant = Assistant.from_config(config)
    print(f"问答助手已启动：http://{host}:{port}/", flush=True)
    uvicorn.run(create_app(assistant, config), host=host, port=port, log_level="warning")
    return 0
