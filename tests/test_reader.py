"""Reading reports in UTF-8 and GB18030/GBK; anything else gets an error that names the file."""
import pytest

from assistant.document import build_document
from assistant.errors import ReadError
from assistant.reader import find_files, read_file

from conftest import REPORT


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
