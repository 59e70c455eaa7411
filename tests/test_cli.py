"""The command line, run as a person runs it: a new process, real files, no tracebacks."""
import json
import os
import shutil
import subprocess
import sys

import pytest
from conftest import REPORT, ROOT


def run(*args, stdin=None, env=None, cwd=None):
    return subprocess.run([sys.executable, "-m", "assistant", *args], input=stdin, capture_output=True, text=True,
                          timeout=300, cwd=cwd or ROOT, env={**os.environ, **(env or {})})


@pytest.fixture
def dirs(report_config, assistant):
    """The session's report and its already-built index."""
    return ["--data-dir", report_config.data_dir, "--index-dir", report_config.index_dir]


def test_ask_prints_answer_and_sources(dirs):
    r = run("ask", "巡视组从哪天开始进驻？", *dirs)
    assert r.returncode == 0, r.stderr
    assert "2018年10月17日" in r.stdout and "[1]" in r.stdout and "来源：" in r.stdout and "第2段" in r.stdout
    assert r.stderr == ""


def test_ask_json_is_the_contract(dirs):
    r = run("ask", "水利扶贫方面有什么问题？", "--json", "--top-k", "3", *dirs)
    d = json.loads(r.stdout)
    assert d["citations"][0]["paragraph"] == 23 and len(d["retrieved"]) == 3 and d["refused"] is False


def test_ask_with_history(dirs):
    r = run("ask", "那水利方面呢？", "--json", "--history", '[{"role":"user","content":"交通扶贫存在什么问题？"}]', *dirs)
    assert "水利" in json.loads(r.stdout)["citations"][0]["quote"]


def test_jsonl_batch_keeps_going_past_bad_lines(dirs):
    lines = [
        {"id": "a", "question": "巡视组从哪天开始进驻？"},
        "this is not json",
        {"id": "b", "question": ""},
        {"id": "c", "question": "那水利方面呢？", "history": [{"role": "user", "content": "交通扶贫存在什么问题？"}]},
        {"id": "d", "question": "这次巡视的巡视组组长是谁？"},
    ]
    stdin = "\n".join(x if isinstance(x, str) else json.dumps(x, ensure_ascii=False) for x in lines) + "\n"
    r = run("ask", "--jsonl", *dirs, stdin=stdin)
    out = [json.loads(line) for line in r.stdout.splitlines()]
    assert [o.get("id") for o in out] == ["a", None, "b", "c", "d"]
    assert "2018年10月17日" in out[0]["answer"]
    assert "not JSON" in out[1]["error"] and "空" in out[2]["error"]
    assert "水利" in out[3]["answer"] and out[4]["refused"] is True
    assert r.returncode == 1 and "Traceback" not in r.stderr


@pytest.mark.parametrize("args,message", [
    (["ask", ""], "空"),
    (["ask", "问" * 30_000], "太长"),  # argv caps one argument at 128 KB; 100k characters go through the API tests
    (["ask"], "请给出问题"),
    (["ask", "问题", "--top-k", "0"], "top_k"),
    (["ask", "问题", "--history", "{oops"], "history"),
    (["eval", "/nonexistent/questions.jsonl"], "not found"),
])
def test_bad_input_gets_one_clear_line(dirs, args, message):
    r = run(*args, *dirs)
    assert r.returncode == 2 and message in r.stderr and "Traceback" not in r.stderr


def test_missing_then_corrupted_index_is_rebuilt_with_a_notice(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(REPORT, data / "report.txt")
    dirs = ["--data-dir", str(data), "--index-dir", str(tmp_path / "index")]
    r = run("ask", "巡视组从哪天开始进驻？", *dirs)
    assert r.returncode == 0 and "2018年10月17日" in r.stdout
    assert r.stderr.count("\n") == 2 and "索引不存在" in r.stderr, "one notice line, one summary line"
    (tmp_path / "index" / "chroma.sqlite3").write_bytes(b"\x00garbage" * 1000)
    r = run("ask", "巡视组从哪天开始进驻？", *dirs)
    assert r.returncode == 0 and "2018年10月17日" in r.stdout and "无法读取" in r.stderr
    assert "Traceback" not in r.stderr


def test_ingest_reports_files_and_skips_unreadable_ones(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(REPORT, data / "report.txt")
    (data / "broken.txt").write_bytes(b"\x00\x01\x02binary" * 50)
    r = run("ingest", "--quiet", "--data-dir", str(data), "--index-dir", str(tmp_path / "index"))
    assert r.returncode == 0, r.stderr
    assert "1 个文件、31 个段落" in r.stdout and "broken.txt" in r.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    r = run("ingest", "--quiet", "--data-dir", str(empty), "--index-dir", str(tmp_path / "index"))
    assert r.returncode == 2 and "nothing to index" in r.stderr
    r = run("ask", "巡视组从哪天开始进驻？", "--data-dir", str(data), "--index-dir", str(tmp_path / "index"))
    assert "2018年10月17日" in r.stdout, "the failed ingest left the index answering"


def test_eval_prints_the_table(dirs):
    r = run("eval", str(ROOT / "tests" / "data" / "holdout.jsonl"), *dirs)
    assert r.returncode == 0, r.stderr
    for row in ("hit@1", "hit@3", "hit@5", "MRR", "citation hit", "verbatim quotes", "unanswerable refused",
                "false refusals"):
        assert row in r.stdout


def test_config_file_and_environment(tmp_path, dirs):
    (tmp_path / "assistant.toml").write_text('top_k = 2\n', encoding="utf-8")
    env = {"PYTHONPATH": str(ROOT)}
    r = run("ask", "巡视组从哪天开始进驻？", "--json", *dirs, cwd=tmp_path, env=env)
    assert len(json.loads(r.stdout)["retrieved"]) == 2
    r = run("ask", "巡视组从哪天开始进驻？", "--json", *dirs, cwd=tmp_path, env={**env, "ASSISTANT_TOP_K": "4"})
    assert len(json.loads(r.stdout)["retrieved"]) == 4
    (tmp_path / "assistant.toml").write_text('top_k = "many"\n', encoding="utf-8")
    r = run("ask", "问题", *dirs, cwd=tmp_path, env=env)
    assert r.returncode == 2 and "top_k" in r.stderr and "Traceback" not in r.stderr


def test_version():
    from assistant import __version__

    r = run("--version")
    assert r.returncode == 0 and r.stdout.strip() == f"assistant {__version__}"


def test_subcommand_help_is_short_and_every_setting_is_listed_once_under_help_settings():
    from assistant.config import SETTINGS

    r = run("ask", "--help")
    assert r.returncode == 0 and "--history" in r.stdout and "--help-settings" in r.stdout
    assert "--llm-timeout" not in r.stdout and len(r.stdout.splitlines()) < 30
    for args in (("--help-settings",), ("serve", "--help-settings")):
        r = run(*args)
        assert r.returncode == 0
        assert all(f"--{s.name.replace('_', '-')} " in r.stdout and f"ASSISTANT_{s.name.upper()}" in r.stdout
                   for s in SETTINGS)
    r = run("ask", "--llm-timeout", "abc", "问题")  # hidden from --help, still a flag, still checked
    assert r.returncode == 2 and "llm-timeout" in r.stderr


def test_a_closed_pipe_ends_quietly(dirs):
    questions = "".join(json.dumps({"id": i, "question": q}, ensure_ascii=False) + "\n"
                        for i, q in enumerate(["巡视组从哪天开始进驻？", "交通扶贫存在什么问题？", "水利方面呢？"]))
    p = subprocess.Popen([sys.executable, "-m", "assistant", "ask", "--jsonl", *dirs], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    p.stdin.write(questions.encode())
    p.stdin.close()
    first = p.stdout.readline()  # what `| head -1` reads before it leaves; the next answers meet a closed pipe
    p.stdout.close()
    err = p.stderr.read().decode()
    assert p.wait(timeout=120) == 0 and json.loads(first)["id"] == 0, err
    assert "Error" not in err and "错误" not in err, err


def test_serve_on_a_busy_port_says_so_before_announcing_anything(dirs):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        r = run("serve", "--port", str(port), *dirs)
    assert r.returncode == 2 and f"端口 {port} 已被占用" in r.stderr and "已启动" not in r.stdout


def test_chat_commands_are_commands_not_questions(dirs):
    r = run("chat", *dirs, stdin="/help\n/sources\n巡视组从哪天开始进驻？\n/clear\n/foo\n/exit\n")
    assert r.returncode == 0, r.stderr
    assert "/new 或 /clear" in r.stderr and "central-inspection-poverty-alleviation-2019.txt" in r.stderr
    assert "已开始新的对话" in r.stderr and "没有这个命令：/foo" in r.stderr
    assert r.stdout.count("助手：") == 1 and "2018年10月17日" in r.stdout


def test_chat_in_a_terminal_recalls_the_last_question_with_the_up_arrow(dirs):
    import pty
    import select
    import time

    leader, follower = pty.openpty()
    p = subprocess.Popen([sys.executable, "-m", "assistant", "chat", *dirs], stdin=follower, stdout=follower,
                         stderr=follower, cwd=ROOT, env={**os.environ, "TERM": "xterm"}, close_fds=True)
    os.close(follower)
    seen = b""

    def read_until(marker: bytes, timeout: float = 120) -> None:
        nonlocal seen
        end = time.monotonic() + timeout
        while marker not in seen and time.monotonic() < end:
            ready, _, _ = select.select([leader], [], [], 0.5)
            if ready:
                try:
                    seen += os.read(leader, 65536)
                except OSError:
                    break
        assert marker in seen, seen.decode(errors="replace")[-500:]

    try:
        read_until("你：".encode())
        os.write(leader, "巡视组从哪天开始进驻？\r".encode())
        read_until("2018年10月17日".encode())
        read_until("你：".encode())
        os.write(leader, "/clear\r".encode())  # no conversation left to lean on: only the recalled line can answer
        read_until("已开始新的对话".encode())
        first = seen.count("2018年10月17日".encode())
        os.write(leader, b"\x1b[A\x1b[A\r")  # ↑ ↑ (past /clear) then Enter: the question again, not "^[[A"
        end = time.monotonic() + 120
        while seen.count("2018年10月17日".encode()) <= first and time.monotonic() < end:
            read_until(b"", 1)
            ready, _, _ = select.select([leader], [], [], 0.5)
            if ready:
                seen += os.read(leader, 65536)
        assert seen.count("2018年10月17日".encode()) > first  # answered again: ↑ brought the question back
        os.write(leader, b"/exit\r")
        assert p.wait(timeout=60) == 0
    finally:
        if p.poll() is None:
            p.kill()
        os.close(leader)
