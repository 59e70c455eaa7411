"""The web chat (gradio): with server.py, the only module that uses gradio (imported through gradio_loader).

Layout: a 问答 tab (chat, input, example questions, settings) and a 原文 tab (the cleaned report, paragraphs numbered,
the latest answer's paragraphs highlighted). Each bot message carries its own source cards, so cards stay with their
turn. The HTML comes from ``webui_render`` (escaped there); the page's CSS and its small click handlers (marker →
card, 第N段 → 原文, copy) are files in ``webui/`` handed to ``mount_gradio_app`` by ``server.py``.
"""
from __future__ import annotations

import hashlib
import logging
import tempfile
import time
from pathlib import Path
from importlib import resources
from typing import Any, Iterator

from assistant.config import Config
from assistant.contract import Answer
from assistant.errors import AssistantError
from assistant.serving import conversations, feedback
from assistant.serving.gradio_loader import load as load_gradio
from assistant.serving.library import Library
from assistant.serving.live import LiveAssistant
from assistant.serving.render import (
    OUTLINE_QUESTION,
    DocIndex,
    about,
    answer_html,
    cited_paragraphs,
    error_html,
    esc,
    fulltext_html,
    history_messages,
    question_html,
    stopped_html,
    streaming_html,
)
from assistant.serving.ticking import PIECE, STAGE, ticking
from assistant.serving.web_reports import reports_tab
from assistant.serving.web_strings import I18N, T

gr = load_gradio()
log = logging.getLogger(__name__)

GENERIC_EXAMPLES = ("报告发现了哪些问题？", "报告提出了哪些要求？")
N_EXAMPLES = 3  # example buttons on the page
STREAM_EVERY = 0.05  # seconds between chat updates while an answer streams: a backend may yield per character


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath("webui", name).read_text(encoding="utf-8")


def _theme() -> gr.themes.Base:
    # LocalFont is served by gradio itself; the CJK names are system fonts, so nothing is fetched from the network.
    cjk = ["PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", "Noto Sans CJK SC", "sans-serif"]
    return gr.themes.Default(font=[gr.themes.LocalFont("Source Sans Pro"), *cjk], primary_hue="red")


def mount_options() -> dict[str, Any]:
    """Keyword arguments for ``gr.mount_gradio_app``: in gradio 6 theme, css and head belong to the mount."""
    return {"theme": _theme(), "css": _asset("app.css"), "head": f"<script>{_asset('app.js')}</script>",
            "footer_links": [], "run_history": False, "i18n": I18N}


def report_title(documents: list[dict]) -> str:
    if not documents:
        return "（索引中还没有报告）"
    title = documents[0]["title"]
    return title if len(documents) == 1 else f"{title} 等 {len(documents)} 份报告"


def header_html(documents: list[dict]) -> str:
    which = "这份报告" if len(documents) <= 1 else f"这 {len(documents)} 份报告"
    return (f'<div class="ra-header"><h1>{esc(report_title(documents))}</h1><p>关于{which}的问答助手：每句回答都标注'
            f'出处 [n]，点击 [n] 查看原文段落。</p></div>')


def example_questions(headings: list[str], n: int = N_EXAMPLES) -> list[str]:
    """Questions that the indexed reports answer, drawn from them: the whole (its outline), then its first
    sections by their headings; generic ones when a report has no headings."""
    return ([OUTLINE_QUESTION] + [about(h) for h in headings[:n - 1]] + list(GENERIC_EXAMPLES))[:n]


def side_note_html(documents: list[dict]) -> str:
    return f'<div class="ra-side-note">共 {sum(len(d["paragraphs"]) for d in documents)} 个段落 · 在“原文”中查看全文</div>'


def source_choices(documents: list[dict]) -> list[tuple[str, str]]:
    """(label, value) pairs for the sources picker: the title shown (with the file when titles repeat), the file
    name sent as ``sources=``."""
    titles = [d["title"] or d["source"] for d in documents]
    return [(t if titles.count(t) == 1 else f"{t}（{d['source']}）", d["source"]) for t, d in zip(titles, documents)]


def chosen_sources(selected: Any, documents: list[dict]) -> list[str] | None:
    """What to pass as ``sources=``: None when nothing or everything is picked (ask every report)."""
    picked = [s for s in (selected or []) if isinstance(s, str)]
    return picked if picked and set(picked) != {d["source"] for d in documents} else None


def backend_options(assistant) -> list[tuple[str, str]]:
    """(label, key) pairs for the backend picker: the one in use, the offline one, the model backends that are set
    up and the config file's profiles (``backends.choices``). An Assistant without choices offers its own backend."""
    listed = getattr(assistant, "backend_choices", None)
    if listed is None:
        return [(assistant.backend.name, assistant.backend.name)]
    return [(c.label, c.key) for c in listed()]


class _View:
    """What the page shows of one index generation: its documents and their paragraph lookup."""

    def __init__(self, assistant):
        self.assistant = assistant
        self.documents = assistant.documents()
        self.docs = DocIndex(self.documents)


class Chat:
    """The event handlers. Per-session data lives in gradio state (the chatbot's messages and ``turns``);
    this object holds only what every session shares: the assistant (a ``LiveAssistant``, which reopens the index
    after another process's ingest) and the documents of the index it answers from."""

    def __init__(self, assistant):
        self.live = LiveAssistant.of(assistant)
        self.built = self._view = _View(self.live.current())
        self.default_backend = backend_options(self._view.assistant)[0][1]
        self._stops: dict[str, float] = {}  # session → when 停止 was last pressed there

    def view(self) -> _View:
        """The current index's view, rebuilt when the index was reopened."""
        assistant = self.live.current()
        view = self._view
        if view.assistant is not assistant:
            view = self._view = _View(assistant)
        return view

    @property
    def assistant(self):
        return self.view().assistant

    @property
    def documents(self) -> list[dict]:
        return self.view().documents

    def fulltext(self, answer: Answer | None = None, view: _View | None = None) -> str:
        return fulltext_html((view or self.view()).documents, cited_paragraphs(answer))

    def page(self) -> tuple:
        """On each page load: the header, sources picker, paragraph count and 原文 of the index as it is now, when
        it changed since the page was built (otherwise nothing is sent)."""
        view = self.view()
        if view.assistant is self.built.assistant:
            return (gr.skip(),) * (4 + N_EXAMPLES)
        choices = source_choices(view.documents)
        return (header_html(view.documents), gr.update(choices=choices, value=[v for _, v in choices],
                                                       visible=len(choices) > 1),
                side_note_html(view.documents), self.fulltext(view=view),
                *example_questions(view.assistant.retriever.headings()))

    def stop(self, request: gr.Request = None) -> None:
        """停止: the answer running in this session ends at its next update (at most TICK seconds), keeping what
        came so far. The answer's own generator ends itself, so nothing it sends later can overwrite the mark."""
        now = time.monotonic()
        self._stops = {k: t for k, t in self._stops.items() if now - t < 3600}
        self._stops[getattr(request, "session_hash", None) or ""] = now

    def respond(self, question: str, messages: list[dict], turns: list[dict], top_k: float,
                backend: str, sources: list[str] | None = None, request: gr.Request = None) -> Iterator[tuple]:
        """Stream one answer into the chat. Yields (textbox, chatbot messages, turns, 原文 html)."""
        session, asked = getattr(request, "session_hash", None) or "", time.monotonic()
        messages = list(messages or [])
        turns = list(turns or [])
        turn = len(turns) + 1
        messages.append({"role": "user", "content": question_html(question)})
        messages.append({"role": "assistant", "content": streaming_html("", "retrieving", 0.0)})
        yield "", list(messages), list(turns), gr.skip()
        try:
            # Only name a backend other than the one in use, so an Assistant without per-call backends still works.
            choice = {"backend": backend} if backend and backend != self.default_backend else {}
            view = self.view()
            picked = chosen_sources(sources, view.documents)
            if picked:
                choice["sources"] = picked
            text, last, stage, t0 = "", 0.0, "retrieving", time.monotonic()
            answer = None
            for kind, piece in ticking(lambda tell: view.assistant.stream(
                    question, history_messages(turns), int(top_k) if top_k else None, stage=tell, **choice)):
                if isinstance(piece, Answer):
                    answer = piece
                    break
                if self._stops.get(session, 0.0) > asked:
                    messages[-1] = {"role": "assistant",
                                    "content": stopped_html(streaming_html(text, stage, time.monotonic() - t0))}
                    yield gr.skip(), list(messages), list(turns), gr.skip()
                    return
                if kind == STAGE:
                    stage = piece
                elif kind == PIECE:
                    text += piece
                if time.monotonic() - last >= STREAM_EVERY:
                    last = time.monotonic()
                    messages[-1] = {"role": "assistant", "content": streaming_html(text, stage, last - t0)}
                    yield gr.skip(), list(messages), list(turns), gr.skip()
            if answer is None:
                raise RuntimeError("the answer stream ended without an answer")
        except AssistantError as e:
            messages[-1] = {"role": "assistant", "content": error_html(str(e))}
            turns.append({"question": str(question), "answer": None, "error": str(e)})
            yield gr.skip(), list(messages), list(turns), gr.skip()
            return
        except Exception as e:  # a person gets one line; the log gets the traceback
            log.exception("answering %r failed", str(question)[:200])
            detail = (str(e).strip().splitlines() or [""])[0][:200]
            message = f"内部错误：{type(e).__name__}" + (f": {detail}" if detail else "")
            messages[-1] = {"role": "assistant", "content": error_html(message)}
            turns.append({"question": str(question), "answer": None, "error": message})
            yield gr.skip(), list(messages), list(turns), gr.skip()
            return
        messages[-1] = {"role": "assistant", "content": answer_html(answer, turn, view.docs)}
        turns.append({"question": answer.question, "answer": answer.answer, "sources": answer.sources_text()})
        yield gr.skip(), list(messages), list(turns), self.fulltext(answer, view)

    def clear(self) -> tuple:
        return [], [], self.fulltext(), ""

    def regenerate(self, messages: list[dict], turns: list[dict], top_k: float, backend: str,
                   sources: list[str] | None = None, request: gr.Request = None) -> Iterator[tuple]:
        """The last question answered again (with the backend and settings chosen now), in place of its answer."""
        messages, turns = list(messages or []), list(turns or [])
        if not turns or len(messages) < 2:
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        last = turns.pop()
        yield from self.respond(last["question"], messages[:-2], turns, top_k, backend, sources, request)

    def edit_last(self, messages: list[dict], turns: list[dict]) -> tuple:
        """The last question back in the input box, its turn taken out of the conversation."""
        messages, turns = list(messages or []), list(turns or [])
        if not turns or len(messages) < 2:
            return gr.skip(), gr.skip(), gr.skip()
        return turns[-1]["question"], messages[:-2], turns[:-1]


class Saved:
    """Handlers of the conversations kept in the browser (``conversations``): the BrowserState value goes in and
    comes out; the export is written to a temporary file for the download button."""

    def __init__(self, chat: Chat):
        self.chat = chat
        self.exports = Path(tempfile.mkdtemp(prefix="ra-export-"))

    def _picker(self, store) -> Any:
        return gr.update(choices=conversations.choices(store), value=store.get("current"))

    def _export(self, store) -> Any:
        text = conversations.markdown(store)
        if not text:
            return gr.update(value=None, interactive=False)
        path = self.exports / f"对话-{store['current']}.md"
        path.write_text(text, encoding="utf-8")
        return gr.update(value=str(path), interactive=True)

    def restore(self, store) -> tuple:
        """On page load: the conversation that was open, and the list."""
        store = conversations.valid(store)
        messages, turns = conversations.current(store)
        return messages, turns, self._picker(store), conversations.title_of(store), self._export(store)

    def remember(self, store, messages, turns) -> tuple:
        store = conversations.save(store, messages or [], turns or [])
        return store, self._picker(store), conversations.title_of(store), self._export(store)

    def new(self, store) -> tuple:
        store = conversations.start_new(store)
        return (store, *self.chat.clear(), self._picker(store), "", self._export(store))

    def pick(self, store, cid) -> tuple:
        store, messages, turns = conversations.switch(store, cid)
        return store, messages, turns, self.chat.fulltext(), conversations.title_of(store), self._export(store)

    def delete(self, store) -> tuple:
        store = conversations.delete(store, conversations.valid(store)["current"])
        return (store, *self.chat.clear(), self._picker(store), "", self._export(store))

    def rename(self, store, title) -> tuple:
        store = conversations.rename(store, conversations.valid(store)["current"], title)
        return store, self._picker(store), self._export(store)


def _secret(config: Config) -> str:
    """The key the browser encrypts its conversations with: stable for this index, so they survive a restart."""
    return hashlib.sha256(f"ra-conversations:{Path(config.index_dir).resolve()}".encode()).hexdigest()[:32]


def build_ui(assistant, config: Config, library: Library | None = None) -> gr.Blocks:
    """The page. LIBRARY decides who may add and remove reports (server.py passes the API's, so both share one
    lock and one rule); without one, changes are allowed (a local page)."""
    chat = Chat(assistant)
    library = library or Library(chat.live, config)
    documents = chat.built.documents
    options = backend_options(chat.built.assistant)
    with gr.Blocks(title=f"问答助手 · {report_title(documents)}", analytics_enabled=False) as ui:
        header = gr.HTML(header_html(documents), js_on_load=None, elem_id="ra-header")
        turns = gr.State([])
        store = gr.BrowserState(conversations.empty(), storage_key="ra-conversations", secret=_secret(config))
        saved = Saved(chat)
        with gr.Tabs(elem_id="ra-tabs"):
            with gr.Tab(T("tab_chat"), id="chat", elem_id="ra-tab-chat"):
                with gr.Row():
                    with gr.Column(scale=4):
                        chatbot = gr.Chatbot(label=T("chat"), elem_id="ra-chat", height=560, buttons=[],
                                             latex_delimiters=[], feedback_options=None, autoscroll=True,
                                             placeholder=T("chat_empty"))
                        gr.HTML('<div class="ra-examples-label">示例问题（点击即问）：</div>', js_on_load=None)
                        with gr.Row(elem_id="ra-examples"):
                            examples = [gr.Button(q, size="sm", elem_classes=["ra-example"]) for q in
                                        example_questions(chat.built.assistant.retriever.headings())]
                        with gr.Row():
                            box = gr.Textbox(label=T("question"), placeholder=T("question_hint"), show_label=False,
                                             lines=1, max_lines=6, scale=5, elem_id="ra-input", autofocus=True)
                            send = gr.Button(T("send"), variant="primary", scale=1, min_width=80, elem_id="ra-send")
                        with gr.Row(elem_id="ra-controls"):
                            stop = gr.Button(T("stop"), size="sm", scale=0, min_width=60, elem_id="ra-stop")
                            again = gr.Button(T("again"), size="sm", scale=0, min_width=80, elem_id="ra-again")
                            edit = gr.Button(T("edit"), size="sm", scale=0, min_width=90, elem_id="ra-edit")
                            gr.Button(T("settings"), size="sm", scale=0, min_width=90, elem_id="ra-settings-toggle")
                    with gr.Column(scale=1, min_width=260, elem_id="ra-settings"):
                        top_k = gr.Slider(1, 20, value=config.top_k, step=1, label=T("top_k"),
                                          info=T("top_k_info"), elem_id="ra-topk")
                        backend = gr.Dropdown(options, value=options[0][1], label=T("backend"),
                                              info=T("backend_info"),
                                              interactive=len(options) > 1, elem_id="ra-backend")
                        choices = source_choices(documents)
                        sources = gr.Dropdown(choices, value=[v for _, v in choices], multiselect=True,
                                              label=T("sources"), info=T("sources_info"),
                                              visible=len(choices) > 1, elem_id="ra-sources")
                        clear = gr.Button(T("new_chat"), variant="secondary", elem_id="ra-clear")
                        picker = gr.Dropdown([], value=None, label=T("history"), info=T("history_info"),
                                             elem_id="ra-chats", interactive=True)
                        name = gr.Textbox(label=T("chat_name"), placeholder=T("chat_name_hint"), max_lines=1,
                                          elem_id="ra-chat-name")
                        with gr.Row():
                            remove = gr.Button(T("delete_chat"), size="sm", elem_id="ra-chat-delete")
                            export = gr.DownloadButton(T("export"), size="sm", interactive=False,
                                                       elem_id="ra-chat-export")
                        note = gr.HTML(side_note_html(documents), js_on_load=None)
                        # where the page's 有用/没用 votes land (app.js fills the box and presses the button)
                        with gr.Group(elem_classes=["ra-hidden"]):
                            votes = gr.Textbox("", label="反馈", elem_id="ra-feedback", show_label=False)
                            vote_send = gr.Button("feedback", elem_id="ra-feedback-send")
            with gr.Tab(T("tab_fulltext"), id="fulltext", elem_id="ra-tab-fulltext"):
                with gr.Row():
                    jump = gr.Number(1, label=T("jump"), precision=0, minimum=1, scale=1, min_width=160,
                                     elem_id="ra-jump")
                    go = gr.Button(T("go"), scale=0, min_width=80, elem_id="ra-go")
                    gr.HTML("", js_on_load=None, scale=5)
                fulltext = gr.HTML(chat.fulltext(view=chat.built), js_on_load=None, elem_id="ra-fulltext")
            page = dict(fn=chat.page, outputs=[header, sources, note, fulltext, *examples], show_progress="hidden",
                        queue=False)
            listed = reports_tab(library, page)

        ask = dict(fn=chat.respond, inputs=[box, chatbot, turns, top_k, backend, sources],
                   outputs=[box, chatbot, turns, fulltext], concurrency_limit=4, show_progress="hidden")
        keep = dict(fn=saved.remember, inputs=[store, chatbot, turns], outputs=[store, picker, name, export],
                    show_progress="hidden", queue=False)
        # Enter and 发送 are one event: a question sent while an answer runs waits for it (always_last), then is
        # asked; app.js says so under the input meanwhile. Its text stays in the box until then.
        gr.on([box.submit, send.click], **ask, trigger_mode="always_last").then(**keep)
        again.click(chat.regenerate, inputs=[chatbot, turns, top_k, backend, sources],
                    outputs=[box, chatbot, turns, fulltext], concurrency_limit=4, show_progress="hidden").then(**keep)
        edit.click(chat.edit_last, inputs=[chatbot, turns], outputs=[box, chatbot, turns], show_progress="hidden",
                   queue=False).then(**keep)
        for b in examples:
            b.click(lambda q: q, inputs=[b], outputs=[box], show_progress="hidden", queue=False).then(**ask).then(**keep)
        stop.click(chat.stop, queue=False)  # the answer shown so far stays, marked 已停止; the conversation goes on
        fresh = dict(fn=saved.new, inputs=[store], outputs=[store, chatbot, turns, fulltext, box, picker, name, export],
                     show_progress="hidden", queue=False)
        clear.click(**fresh)
        chatbot.clear(**fresh)
        picker.input(saved.pick, inputs=[store, picker], outputs=[store, chatbot, turns, fulltext, name, export],
                     show_progress="hidden", queue=False)
        remove.click(saved.delete, inputs=[store],
                     outputs=[store, chatbot, turns, fulltext, box, picker, name, export], show_progress="hidden",
                     queue=False)
        feedback_file = feedback.path_for(config)

        def vote(payload: str) -> str:
            feedback.record(feedback_file, payload)
            return ""  # the box is emptied for the next vote

        vote_send.click(vote, inputs=[votes], outputs=[votes], show_progress="hidden", queue=False)
        name.submit(saved.rename, inputs=[store, name], outputs=[store, picker, export], show_progress="hidden",
                    queue=False)
        ui.load(**page)
        ui.load(**listed)
        ui.load(saved.restore, inputs=[store], outputs=[chatbot, turns, picker, name, export], show_progress="hidden",
                queue=False)
        show = "(n) => { window.raShowParagraph && window.raShowParagraph(n); }"
        go.click(None, inputs=[jump], js=show)
        jump.submit(None, inputs=[jump], js=show)
    return ui

