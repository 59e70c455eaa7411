"""Adding and removing reports on a running server (POST/DELETE /api/sources; the web chat's 报告 tab uses the
same Library): against a real server on 127.0.0.1 over its own copy of the report and its own index."""
from __future__ import annotations

import shutil

import httpx
import pytest
from conftest import REPORT, ROOT
from live_server import LiveServer

UPLOAD = ROOT / "tests" / "data" / "upload_report.txt"  # a short invented report, not the seed one
QUESTION = "青禾市一共建成了多少家社区老年食堂？"


def _build(tmp_path, embedder, host="127.0.0.1", environ=None, **settings):
    from assistant.answering.assistant import Assistant
    from assistant.config import load_config
    from assistant.serving.http import build_api

    data = tmp_path / "data"
    data.mkdir(parents=True)
    shutil.copy(REPORT, data / REPORT.name)
    config = load_config(overrides={"data_dir": str(data), "index_dir": str(tmp_path / "index"), **settings})
    assistant = Assistant.from_config(config, notify=lambda m: None, embedder=embedder)
    return build_api(assistant, config, host=host, environ=environ or {}), data


@pytest.fixture(scope="module")
def api(tmp_path_factory, embedder):
    app, data = _build(tmp_path_factory.mktemp("library"), embedder, upload_max_mb=1, upload_max_files=3)
    with LiveServer(app) as server, httpx.Client(base_url=server.url, timeout=120) as client:
        client.data = data
        yield client


def upload(client, *files):
    return client.post("/api/sources", files=[("files", f) for f in files])


def error_of(r: httpx.Response, status: int) -> str:
    assert r.status_code == status, r.text
    return r.json()["error"]["message"]


def test_an_uploaded_report_is_listed_and_answers_and_removing_it_keeps_the_file(api):
    r = upload(api, ("食堂通报.txt", UPLOAD.read_bytes(), "text/plain"))
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["added"] == ["食堂通报.txt"] and "2 份报告" in body["summary"]
    listed = {s["source"]: s for s in api.get("/api/sources").json()["sources"]}
    assert listed["食堂通报.txt"]["title"] == "青禾市社区老年食堂建设情况通报" and listed["食堂通报.txt"]["paragraphs"] > 3
    answer = api.post("/api/ask", json={"question": QUESTION}).json()
    assert not answer["refused"] and "86家" in answer["answer"]
    assert answer["citations"][0]["source"] == "食堂通报.txt"
    assert (api.data / "食堂通报.txt").read_bytes() == UPLOAD.read_bytes()

    r = api.delete("/api/sources/食堂通报.txt")
    assert r.status_code == 200, r.text
    assert [s["source"] for s in r.json()["sources"]] == [REPORT.name]
    assert not (api.data / "食堂通报.txt").exists()
    kept = list((api.data / ".removed").rglob("食堂通报.txt"))
    assert len(kept) == 1 and kept[0].read_bytes() == UPLOAD.read_bytes()
    answer = api.post("/api/ask", json={"question": QUESTION, "sources": ["食堂通报.txt"]})
    assert answer.status_code == 400 and "食堂通报.txt" in answer.json()["error"]["message"]


def test_uploading_a_file_of_the_same_name_replaces_the_report_and_keeps_the_old_one(api):
    assert upload(api, ("食堂.txt", UPLOAD.read_bytes())).status_code == 201
    newer = UPLOAD.read_text(encoding="utf-8").replace("86家", "93家")
    assert upload(api, ("食堂.txt", newer.encode())).status_code == 201
    answer = api.post("/api/ask", json={"question": QUESTION, "sources": ["食堂.txt"]}).json()
    assert "93家" in answer["answer"] and "86家" not in answer["answer"]
    old = [p for p in (api.data / ".removed").rglob("食堂.txt") if p.read_bytes() == UPLOAD.read_bytes()]
    assert old, "the replaced version is kept"
    assert api.delete("/api/sources/食堂.txt").status_code == 200


@pytest.mark.parametrize("name, content, status, words", [
    ("报告.exe", b"MZ....", 415, "不支持的文件类型"),
    ("空.txt", b"   \n", 400, "空"),
    ("坏.pdf", b"this is not a pdf", 422, "无法作为报告读取"),
    ("大.txt", "很长的报告。".encode() * 200_000, 413, "上限 1 MB"),
    (".隐藏.txt", b"text", 400, "文件名不可用"),
])
def test_bad_uploads_are_refused_with_a_reason_and_change_nothing(api, name, content, status, words):
    before = sorted(p.name for p in api.data.iterdir() if not p.name.startswith("."))
    sources = api.get("/api/sources").json()
    assert words in error_of(upload(api, (name, content)), status)
    assert sorted(p.name for p in api.data.iterdir() if not p.name.startswith(".")) == before
    assert api.get("/api/sources").json() == sources


def test_a_path_in_the_file_name_is_dropped_and_too_many_files_are_refused(api):
    r = upload(api, ("../../etc/逃逸.txt", UPLOAD.read_bytes()))
    assert r.status_code == 201 and r.json()["added"] == ["逃逸.txt"] and (api.data / "逃逸.txt").is_file()
    assert api.delete("/api/sources/逃逸.txt").status_code == 200
    too_many = [(f"{i}.txt", UPLOAD.read_bytes()) for i in range(4)]
    assert "最多上传 3 个" in error_of(upload(api, *too_many), 413)


def test_removing_an_unknown_or_the_last_report_is_refused(api):
    assert "没有报告" in error_of(api.delete("/api/sources/不存在.txt"), 404)
    assert "最后一份" in error_of(api.delete(f"/api/sources/{REPORT.name}"), 409)
    assert (api.data / REPORT.name).is_file()


def test_the_upload_routes_are_in_the_openapi_schema(api):
    paths = api.get("/openapi.json").json()["paths"]
    assert "post" in paths["/api/sources"] and "delete" in paths["/api/sources/{name}"]


def test_changes_need_the_key_when_one_is_set_and_a_key_on_a_public_host(tmp_path, embedder):
    app, _ = _build(tmp_path / "keyed", embedder, environ={"ASSISTANT_API_KEY": "s3cret"})
    with LiveServer(app) as server, httpx.Client(base_url=server.url, timeout=120) as c:
        assert c.post("/api/sources", files=[("files", ("a.txt", UPLOAD.read_bytes()))]).status_code == 401
        r = c.post("/api/sources", files=[("files", ("a.txt", UPLOAD.read_bytes()))],
                   headers={"Authorization": "Bearer s3cret"})
        assert r.status_code == 201, r.text
    app, data = _build(tmp_path / "public", embedder, host="0.0.0.0")
    with LiveServer(app) as server, httpx.Client(base_url=server.url, timeout=120) as c:
        r = c.post("/api/sources", files=[("files", ("a.txt", UPLOAD.read_bytes()))])
        assert "ASSISTANT_API_KEY" in error_of(r, 403) and not (data / "a.txt").exists()


def test_questions_are_answered_from_the_old_index_while_a_change_runs_and_a_second_change_waits(api):
    import threading
    import time

    long_report = "青禾市社区食堂名录\n\n" + "\n\n".join(
        f"第{i}号食堂设在青禾市第{i % 12 + 1}街道，可同时容纳{20 + i % 30}位老人就餐，每周一至周六供应午餐。"
        for i in range(300))
    result = {}
    worker = threading.Thread(target=lambda: result.update(r=upload(api, ("名录.txt", long_report.encode()))))
    worker.start()
    try:
        deadline, indexing = time.monotonic() + 60, None
        while not indexing and time.monotonic() < deadline and worker.is_alive():
            indexing = api.get("/api/health").json()["indexing"]
        assert indexing and indexing["change"] == "add 名录.txt", result
        answer = api.post("/api/ask", json={"question": "巡视组从哪天开始进驻？"})
        assert answer.status_code == 200 and answer.json()["citations"][0]["source"] == REPORT.name
        assert "名录.txt" not in {s["source"] for s in api.get("/api/sources").json()["sources"]}
        second = api.delete("/api/sources/名录.txt")  # waits for the upload, then finds the new report
        assert second.status_code == 200, second.text  # a 404 had it not waited
    finally:
        worker.join(120)
    assert result["r"].status_code == 201, result["r"].text
    assert api.get("/api/health").json()["indexing"] is None


def test_uploads_can_be_switched_off_and_the_switch_reads_true_or_false():
    from assistant.config import load_config
    from assistant.errors import ConfigError
    from assistant.serving.library import Library, LibraryError

    assert load_config(environ={"ASSISTANT_UPLOADS": "false"}).uploads is False
    assert load_config(environ={"ASSISTANT_UPLOADS": "Yes"}).uploads is True
    with pytest.raises(ConfigError, match="true or false"):
        load_config(environ={"ASSISTANT_UPLOADS": "maybe"})
    closed = Library(live=None, config=load_config(overrides={"uploads": False}))
    with pytest.raises(LibraryError, match="不允许") as e:
        closed.add([("a.txt", b"text")])
    assert e.value.status == 403
