"""Reading reports in UTF-8 and GB18030/GBK; anything else gets an error that names the file."""
import pytest
from conftest import REPORT

from assistant.errors import ReadError
from assistant.ingest.document import build_document
from assistant.ingest.reader import find_files, read_file


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_encodings_give_the_same_paragraphs(tmp_path, encoding):
    text = REPORT.read_text(encoding="utf-8")
    f = tmp_path / f"report-{encoding}.txt"
    f.write_bytes(text.encode(encoding))
    raw = read_file(f)
    assert raw.text.lstrip("\ufeff") == text
    ref = build_document(read_file(REPORT))
    assert [p.text for p in build_document(raw).paragraphs] == [p.text for p in ref.paragraphs]


def test_binary_and_undecodable_files_are_named_in_the_error(tmp_path):
    binary = tmp_path / "image.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    with pytest.raises(ReadError, match="image.txt"):
        read_file(binary)
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Ça coûte très cher, très très cher. ".encode("latin-1") * 20)
    with pytest.raises(ReadError, match="latin.txt"):
        read_file(latin)


def test_find_files_skips_other_suffixes_and_hidden(tmp_path):
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / "b.md").write_text("x")
    (tmp_path / "c.png").write_text("x")  # .pdf, .html and .docx are reports now (formats.py)
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "d.txt").write_text("x")
    assert [p.name for p in find_files([tmp_path])] == ["a.txt", "b.md"]
    with pytest.raises(ReadError, match="no such file"):
        find_files([tmp_path / "missing"])


def test_symlink_loops_are_named_as_skipped(tmp_path):
    import os
    from pathlib import Path

    from assistant.ingest.reader import find_files

    (tmp_path / "r.txt").write_text("报告正文。", encoding="utf-8")
    os.symlink("b.txt", tmp_path / "a.txt")
    os.symlink("a.txt", tmp_path / "b.txt")
    (tmp_path / "sub").mkdir()
    os.symlink("..", tmp_path / "sub" / "up")
    skipped: list[str] = []
    assert find_files([tmp_path], skipped) == [tmp_path / "r.txt"]
    assert len(skipped) == 3 and all("symlink loop" in s for s in skipped)
    assert {Path(s.split(": ")[0]).name for s in skipped} == {"a.txt", "b.txt", "up"}
    assert find_files([tmp_path]) == [tmp_path / "r.txt"]  # without a list: left out as before


def test_hashes_skip_files_over_the_cap_without_reading_them(tmp_path):
    import hashlib

    from assistant.ingest.pipeline import source_hashes
    from assistant.ingest.reader import MAX_BYTES, file_sha256

    (tmp_path / "r.txt").write_text("报告正文。", encoding="utf-8")
    with open(tmp_path / "big.txt", "wb") as f:  # sparse: no disk, and hashing it would take seconds
        f.truncate(MAX_BYTES + 1)
    skipped: list[str] = []
    hashes = source_hashes([tmp_path], skipped)
    assert set(hashes) == {"r.txt"} and file_sha256(tmp_path / "big.txt") is None
    assert skipped == ["big.txt: 50 MB is too large for a report (limit 50 MB)"]
    assert hashes["r.txt"] == hashlib.sha256((tmp_path / "r.txt").read_bytes()).hexdigest()


@pytest.mark.parametrize("encoding,expect", [("utf-16", "utf-16"), ("big5", "big5")])
def test_notepad_unicode_and_big5_files_are_read(tmp_path, encoding, expect):
    from assistant.ingest.reader import read_file

    text = "巡視組從十月起陸續進駐，發現了一些突出問題。\n\n針對這些問題，提出了整改要求。\n"
    path = tmp_path / f"{encoding}.txt"
    path.write_bytes(text.encode(encoding))  # Python's utf-16 writes the byte-order mark Notepad writes
    raw = read_file(path)
    assert raw.encoding == expect and raw.text.strip() == text.strip()
