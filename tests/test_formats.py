"""HTML (main text only), .docx and text PDFs become the same numbered paragraphs as .txt; bad files are named."""
from pathlib import Path

import pytest

from assistant.answering.retrieve import Query, Retriever
from assistant.errors import ReadError
from assistant.index.store import Store
from assistant.index.tokens import get_tokenizer
from assistant.ingest.document import build_document
from assistant.ingest.pipeline import IngestReport, build_index, read_documents
from assistant.ingest.reader import find_files, read_file

CJK_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
PAGE = """<!DOCTYPE html>
<html><head><meta charset="{charset}"><title>聚焦脱贫攻坚，巡视组发现了哪些问题 - 中央纪委国家监委网站</title>
<meta property="article:published_time" content="2019-01-30T10:15:00+08:00"></head>
<body>
<header><div class="logo">中央纪委国家监委网站</div><nav><a>首页</a> <a>要闻</a> <a>审查调查</a></nav></header>
<div class="breadcrumb">首页 &gt; 要闻 &gt; 正文</div>
<div class="wrapper"><div class="main-content">
<h1>聚焦脱贫攻坚，巡视组发现了哪些问题</h1>
<div class="info">2019-01-30 10:15 来源：中央纪委国家监委网站</div>
<p>中央脱贫攻坚专项巡视从2018年10月17日起开始陆续进驻，15个中央巡视组在26个被巡视地方和单位工作了1个月左右。</p>
<h2>交通扶贫</h2>
<p>有的地方被指出贫困地区农村公路建设标准不健全、养护机制不完善。</p>
<p>有的中央单位被指出水利资金向贫困地区倾斜不足，部分水利扶贫任务推进缓慢。</p>
<div class="share-box">分享到： <a>微信</a> <a>微博</a> <a>QQ空间</a></div>
</div>
<aside class="sidebar"><h3>相关阅读</h3><ul><li>另一篇新闻的标题，与本文无关的链接文字很长很长。</li></ul></aside>
</div>
<footer>版权所有 © 中央纪委国家监委网站 京ICP备12345678号</footer>
<script>var tracker = "不是正文";</script>
</body></html>"""


def _html(charset="utf-8"):
    return PAGE.replace("{charset}", charset)


def test_html_keeps_the_article_its_title_and_date_and_drops_the_page_chrome(tmp_path):
    f = tmp_path / "page.html"
    f.write_text(_html(), encoding="utf-8")
    doc = build_document(read_file(f))
    assert doc.title == "聚焦脱贫攻坚，巡视组发现了哪些问题" and doc.date == "2019-01-30" and doc.format == "html"
    texts = [p.text for p in doc.paragraphs]
    assert len(texts) == 3 and texts[0].startswith("中央脱贫攻坚专项巡视从2018年10月17日起")
    assert [p.section for p in doc.paragraphs] == [None, "交通扶贫", "交通扶贫"]
    for chrome in ("首页", "分享到", "微信", "相关阅读", "另一篇新闻", "版权所有", "tracker", "来源"):
        assert chrome not in doc.text, chrome
    assert all(doc.text[p.start:p.end] == p.text for p in doc.paragraphs)


def test_html_in_a_declared_gbk_charset(tmp_path):
    f = tmp_path / "gbk.htm"
    f.write_bytes(_html("gb2312").replace("©", "&copy;").encode("gbk"))
    doc = build_document(read_file(f))
    assert doc.title.startswith("聚焦脱贫攻坚") and "养护机制不完善" in doc.paragraphs[1].text


def _docx(path, title="扶贫工作报告"):
    docx = pytest.importorskip("docx")
    d = docx.Document()
    d.core_properties.title = title
    d.add_heading(title, 0)
    d.add_heading("一、总体情况", 1)
    d.add_paragraph("中央巡视组在26个地方和单位开展了专项巡视，发现了一些共性问题。")
    d.add_paragraph("")
    d.add_heading("二、交通扶贫", 1)
    d.add_paragraph("有的地方农村公路建设标准不健全、养护机制不完善。")
    d.add_paragraph("有的地方项目推进缓慢，资金闲置。")
    d.save(path)
    return path


def test_docx_paragraphs_with_headings_as_sections(tmp_path):
    doc = build_document(read_file(_docx(tmp_path / "report.docx")))
    assert doc.title == "扶贫工作报告" and doc.format == "docx"
    assert [(p.number, p.section) for p in doc.paragraphs] == [(1, "一、总体情况"), (2, "二、交通扶贫"),
                                                               (3, "二、交通扶贫")]
    assert doc.paragraphs[1].text == "有的地方农村公路建设标准不健全、养护机制不完善。"


def _pdf(path, pages, font=None, title=None):
    fpdf = pytest.importorskip("fpdf")
    pdf = fpdf.FPDF()
    if font:
        pdf.add_font("cjk", "", str(font))
        pdf.set_font("cjk", size=12)
    else:
        pdf.set_font("helvetica", size=12)
    if title:
        pdf.set_title(title)
    for lines in pages:
        pdf.add_page()
        for line in lines:
            pdf.multi_cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


def test_pdf_paragraphs_keep_their_page_numbers(tmp_path):
    long = ("The inspection teams worked in twenty-six regions and units for about one month, and the long "
            "sentence wraps over several lines of the page so that the reader must join them again.")
    f = _pdf(tmp_path / "en.pdf", [["Poverty Alleviation Inspection", "Overview", long, "A short one."],
                                   ["Rural roads lack construction standards and maintenance."]])
    doc = build_document(read_file(f))
    assert doc.title == "Poverty Alleviation Inspection" and doc.format == "pdf"
    assert [(p.number, p.page, p.section) for p in doc.paragraphs] == [(1, 1, "Overview"), (2, 1, "Overview"),
                                                                       (3, 2, "Overview")]
    assert doc.paragraphs[0].text == long, "lines wrapped by the layout are joined again"


@pytest.mark.skipif(not CJK_FONT.is_file(), reason="no CJK font to write a Chinese PDF (apt-get install fonts-wqy-microhei)")
def test_chinese_pdf_joins_wrapped_lines_and_drops_page_numbers(tmp_path):
    body = ("中央巡视组在26个地方和单位开展了为期一个月左右的专项巡视工作，发现了一些问题，这是一个很长的段落，"
            "排版时会换行显示在多行上面，读取时应当重新合并成一个段落。")
    f = _pdf(tmp_path / "zh.pdf", [["脱贫攻坚专项巡视情况通报", "一、总体情况", body, "- 1 -"],
                                   ["二、交通扶贫", "贫困地区农村公路建设标准不健全、养护机制不完善。", "- 2 -"]],
             font=CJK_FONT, title="Microsoft Word - report.doc")
    doc = build_document(read_file(f))
    assert doc.title == "脱贫攻坚专项巡视情况通报"
    assert [(p.page, p.section, p.text) for p in doc.paragraphs] == [
        (1, "一、总体情况", body), (2, "二、交通扶贫", "贫困地区农村公路建设标准不健全、养护机制不完善。")]


def test_unreadable_files_are_named_and_the_rest_of_the_batch_goes_on(tmp_path):
    (tmp_path / "good.html").write_text(_html(), encoding="utf-8")
    _docx(tmp_path / "good.docx")
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4\n this is not really a pdf")
    (tmp_path / "broken.docx").write_bytes(b"PK\x03\x04 not a zip at all")
    _pdf(tmp_path / "scan.pdf", [[]])  # a page without a text layer
    report = IngestReport()
    docs = read_documents([tmp_path], report)
    assert sorted(d.source for d in docs) == ["good.docx", "good.html"]
    assert len(report.skipped) == 3
    for name in ("broken.pdf", "broken.docx", "scan.pdf"):
        assert any(m.startswith(name) for m in report.skipped), (name, report.skipped)
    assert any("OCR" in m for m in report.skipped)
    with pytest.raises(ReadError, match="broken.docx"):
        read_file(tmp_path / "broken.docx")


def test_mixed_formats_are_indexed_and_retrieved_with_pages(tmp_path, embedder):
    data = tmp_path / "data"
    data.mkdir()
    (data / "page.html").write_text(_html(), encoding="utf-8")
    _docx(data / "report.docx")
    _pdf(data / "en.pdf", [["Inspection Notes", "Roads", "Rural roads lack construction standards."],
                           ["Water conservancy funds were not tilted towards poor areas."]])
    assert [p.name for p in find_files([data])] == ["en.pdf", "page.html", "report.docx"]
    report = build_index([data], tmp_path / "index", embedder, get_tokenizer())
    assert report.files == 3 and not report.skipped
    store = Store.open(tmp_path / "index")
    docs = {r.id: r.metadata for r in store.documents()}
    assert docs["page.html"]["date"] == "2019-01-30" and docs["page.html"]["title"].startswith("聚焦脱贫攻坚")
    assert docs["en.pdf"]["format"] == "pdf" and docs["report.docx"]["paragraphs"] == 3
    retriever = Retriever(store, embedder, get_tokenizer())
    hit = retriever.search(Query("water conservancy funds poor areas"), 1)[0]
    assert (hit.paragraph.source, hit.paragraph.page, hit.paragraph.number) == ("en.pdf", 2, 2)
    hit = retriever.search(Query("农村公路养护机制"), 3, sources=["report.docx"])
    assert {h.paragraph.source for h in hit} == {"report.docx"} and hit[0].paragraph.number == 2


def test_citations_can_name_the_document_title(tmp_path, embedder):
    data = tmp_path / "data"
    data.mkdir()
    (data / "page.html").write_text(_html(), encoding="utf-8")
    build_index([data], tmp_path / "index", embedder, get_tokenizer())
    retriever = Retriever(Store.open(tmp_path / "index"), embedder, get_tokenizer())
    assert retriever.title("page.html") == "聚焦脱贫攻坚，巡视组发现了哪些问题"
    assert retriever.title("unknown.txt") == "unknown.txt"
