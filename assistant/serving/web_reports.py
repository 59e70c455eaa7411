"""The web chat's 报告 tab: the indexed reports listed, uploads added, one removed — all through ``Library``
(library.py), which also serves ``POST``/``DELETE /api/sources``. While a change is indexed the chat goes on
answering from the old index; afterwards the chat tab's header, examples, sources picker and 原文 are redrawn."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.errors import AssistantError
from assistant.ingest.reader import SUFFIXES
from assistant.serving.gradio_loader import load as load_gradio
from assistant.serving.library import Library
from assistant.serving.render import esc
from assistant.serving.web_strings import T

gr = load_gradio()
CANCELLED = "\x00cancelled"  # what the page sends when the removal is not confirmed


def reports_html(rows: list[dict]) -> str:
    if not rows:
        return '<p class="ra-reports-empty">索引中还没有报告。</p>'
    body = "".join(
        f'<tr><td>{esc(r["title"])}</td><td><code>{esc(r["source"])}</code></td><td>{r["paragraphs"]}</td>'
        f'<td>{esc(r.get("format", ""))}</td><td>{esc(str(r.get("indexed", "")).replace("T", " ")[:16])}</td></tr>'
        for r in rows)
    total = sum(r["paragraphs"] for r in rows)
    return (f'<table class="ra-reports"><thead><tr><th>标题</th><th>文件</th><th>段落</th><th>格式</th><th>索引时间</th>'
            f'</tr></thead><tbody>{body}</tbody></table>'
            f'<p class="ra-side-note">共 {len(rows)} 份报告、{total} 个段落</p>')


def status_html(message: str, ok: bool) -> str:
    return f'<div class="ra-status {"ra-ok" if ok else "ra-error"}" role="status">{esc(message)}</div>'


def limits_text(library: Library) -> str:
    return (f"支持 {' '.join(SUFFIXES)}；每个文件不超过 {library.config.upload_max_mb} MB，一次最多 "
            f"{library.max_files} 个。同名文件替换原报告；替换或移除的文件保存在资料目录的 .removed 文件夹中。"
            f"导入期间照常回答（用旧索引），完成后自动切换。")


def removal_choices(rows: list[dict]) -> list[tuple[str, str]]:
    """(label, source) pairs for the removal picker."""
    return [(f'{r["title"]}（{r["source"]}）', r["source"]) for r in rows]


class Reports:
    """The tab's handlers; every one returns (status, list, remove picker)."""

    def __init__(self, library: Library):
        self.library = library

    def _listing(self) -> tuple[str, Any]:
        rows = self.library.listing()
        return reports_html(rows), gr.update(choices=removal_choices(rows), value=None)

    def show(self) -> tuple:
        return gr.skip(), *self._listing()

    def upload(self, files: list[Any] | None, progress=gr.Progress()) -> tuple:
        paths = [Path(getattr(f, "name", f)) for f in (files or [])]
        if not paths:
            return status_html("请先选择要上传的文件", False), gr.skip(), gr.skip(), gr.skip()
        try:
            received = [(p.name, p.read_bytes()) for p in paths]
            progress(0, desc="读取文件…")
            change = self.library.add(received, lambda done, total: progress(
                done / max(total, 1), desc=f"索引中：{done}/{total} 段"))
        except (AssistantError, OSError) as e:
            return status_html(str(e), False), *self._listing(), gr.skip()
        skipped = "；".join(change.report.skipped) if change.report and change.report.skipped else ""
        return status_html(change.summary() + (f" 跳过：{skipped}" if skipped else ""), True), *self._listing(), None

    def remove(self, source: str | None, progress=gr.Progress()) -> tuple:
        if source == CANCELLED:
            return gr.skip(), gr.skip(), gr.skip()
        if not source:
            return status_html("请先在列表中选择要移除的报告", False), gr.skip(), gr.skip()
        try:
            progress(0, desc="移除中…")
            change = self.library.remove(source)
        except AssistantError as e:
            return status_html(str(e), False), *self._listing()
        return status_html(change.summary(), True), *self._listing()


def reports_tab(library: Library, redraw: dict) -> dict:
    """The 报告 tab (call inside ``gr.Tabs``). REDRAW: the kwargs of a ``.then`` that redraws the chat tab.
    Returns the kwargs of the page-load event that refreshes the list."""
    reports = Reports(library)
    rows = library.listing()
    with gr.Tab(T("tab_reports"), id="reports", elem_id="ra-tab-reports"):
        listing = gr.HTML(reports_html(rows), js_on_load=None, elem_id="ra-reports")
        status = gr.HTML("", js_on_load=None, elem_id="ra-reports-status")
        with gr.Group(visible=library.allowed):
            upload = gr.File(label=T("upload"), file_count="multiple", file_types=list(SUFFIXES), type="filepath",
                             elem_id="ra-upload")
            add = gr.Button(T("upload_send"), variant="primary", elem_id="ra-upload-send")
            gr.HTML(f'<p class="ra-side-note">{esc(limits_text(library))}</p>', js_on_load=None)
            with gr.Row():
                pick = gr.Dropdown(removal_choices(rows), value=None,
                                   label=T("remove"), info=T("remove_info"), scale=4,
                                   elem_id="ra-remove-pick")
                drop = gr.Button(T("remove_send"), variant="stop", scale=1, min_width=80, elem_id="ra-remove-send")
        if not library.allowed:
            gr.HTML(f'<p class="ra-side-note">{esc(library.why_not)}</p>', js_on_load=None)
    add.click(reports.upload, inputs=[upload], outputs=[status, listing, pick, upload],
              concurrency_limit=1, concurrency_id="reports").then(**redraw)
    drop.click(reports.remove, inputs=[pick], outputs=[status, listing, pick], concurrency_limit=1,
               concurrency_id="reports",
               js="(s) => (s && !window.confirm('移除这份报告？文件会保存在 .removed 文件夹中。')) ? "
                  f"{CANCELLED!r} : s").then(**redraw)
    return dict(fn=reports.show, outputs=[status, listing, pick], show_progress="hidden", queue=False)
