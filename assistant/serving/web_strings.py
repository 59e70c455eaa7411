"""The web chat's own fixed strings (tab names, labels, buttons, hints) in Chinese and English.

Gradio shows them, and its own strings (upload box, login, errors), in the browser's language through its i18n;
app.js makes that language Chinese unless the browser asks for English first. Answers, cards and the report
stay in the report's language: they are rendered on the server, per answer.
"""
from __future__ import annotations

from assistant.serving.gradio_loader import load as load_gradio

gr = load_gradio()

STRINGS: dict[str, tuple[str, str]] = {
    "tab_chat": ("问答", "Ask"),
    "tab_fulltext": ("原文", "Report text"),
    "tab_reports": ("报告", "Reports"),
    "chat": ("对话", "Conversation"),
    "chat_empty": ("请在下方输入问题，或点击一个示例问题。", "Type a question below, or click an example question."),
    "question": ("问题", "Question"),
    "question_hint": ("输入关于报告的问题，按回车发送", "Ask about the report; press Enter to send"),
    "send": ("发送", "Send"),
    "stop": ("停止", "Stop"),
    "again": ("重新回答", "Regenerate"),
    "edit": ("修改上一问", "Edit last question"),
    "settings": ("设置与历史", "Settings & history"),
    "top_k": ("检索段落数（top-k）", "Paragraphs retrieved (top-k)"),
    "top_k_info": ("回答可引用的候选段落数量", "How many paragraphs an answer may cite from"),
    "backend": ("回答方式（backend）", "Answered by (backend)"),
    "backend_info": ("摘录原文为离线默认；模型与配置档（profiles）在配置文件中设置",
                     "Quoting the report is the offline default; models and profiles are set in the config file"),
    "sources": ("检索范围（来源）", "Search in (sources)"),
    "sources_info": ("只在选中的报告中查找答案；不选即全部", "Answer only from the chosen reports; none chosen: all"),
    "new_chat": ("新对话", "New conversation"),
    "history": ("历史对话", "Past conversations"),
    "history_info": ("只保存在这个浏览器里", "Kept in this browser only"),
    "chat_name": ("对话名称", "Conversation name"),
    "chat_name_hint": ("输入后回车改名", "Type a name and press Enter"),
    "delete_chat": ("删除此对话", "Delete conversation"),
    "export": ("导出 Markdown", "Export Markdown"),
    "jump": ("跳到第几段", "Go to paragraph"),
    "go": ("前往", "Go"),
    "upload": ("上传报告", "Upload reports"),
    "upload_send": ("添加到索引", "Add to the index"),
    "remove": ("移除报告", "Remove a report"),
    "remove_info": ("移出索引（文件保留在 .removed 中）", "Taken out of the index (the file is kept in .removed)"),
    "remove_send": ("移除", "Remove"),
}

I18N = gr.I18n(**{"zh-CN": {k: zh for k, (zh, _) in STRINGS.items()},
                  "zh-TW": {k: zh for k, (zh, _) in STRINGS.items()},
                  "en": {k: en for k, (_, en) in STRINGS.items()}})


def T(key: str):
    """The string KEY, shown in the browser's language."""
    if key not in STRINGS:
        raise KeyError(key)
    return I18N(key)
