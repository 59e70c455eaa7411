"""Structured formats: HTML (main text only), .docx and text PDFs, read with the libraries made for each.

Each reader returns blocks — ("heading" | "paragraph", text, page) — plus the title and date it found, so the rest of
the pipeline (numbered paragraphs, sections, citations) is the same for every format. Plain text goes through
``cleaning.clean`` instead. Libraries are imported when a file of their format is read.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from assistant.errors import ReadError
from assistant.ingest.cleaning import ends_sentence, is_furniture
from assistant.ingest.encoding import decode

Block = tuple[str, str, "int | None"]  # (kind, text, page)


@dataclass
class Parsed:
    title: str | None = None
    date: str | None = None
    blocks: list[Block] = field(default_factory=list)


def _need(module: str, package: str, name: str):
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise ReadError(f"{name}: reading this format needs {package}: pip install {package}") from None


def _squash(text: str) -> str:
    text = re.sub(r"[ \t\r\f\v\u00a0]+", " ", text).strip()
    # Chinese text has no spaces between characters; layouts and markup insert them
    return re.sub(r"(?<=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]) (?=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef])",
                  "", text)


# ---- HTML -------------------------------------------------------------------------------------------------------
_CHROME_TAGS = ("script", "style", "noscript", "nav", "footer", "header", "aside", "form", "iframe", "button",
                "select", "svg", "template")
_CHROME_ATTR = re.compile(r"(^|[\s_-])(nav|navbar|menu|footer|foot|header|breadcrumbs?|crumbs?|share|sharing|social|"
                          r"sidebar|side|comments?|related|recommend|advert|ads?|banner|toolbar|copyright|"
                          r"subscribe|qrcode|login|pager|pagination)($|[\s_-])", re.I)
_DATE = re.compile(r"(\d{4})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})")
_DATE_META = ("article:published_time", "pubdate", "publishdate", "publish_date", "date", "dc.date",
              "dc.date.issued", "og:published_time", "datepublished")
_BLOCK_TAGS = ("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "td", "dd", "figcaption")


def _html_text(data: bytes, name: str) -> str:
    head = data[:4096].decode("ascii", "ignore")
    m = re.search(r"charset\s*=\s*[\"']?([\w-]+)", head, re.I)
    declared = (m.group(1).lower() if m else "")
    if declared in ("gb2312", "gbk", "gb18030", "x-gbk"):
        return data.decode("gb18030", "replace")
    if declared and declared not in ("utf-8", "utf8"):
        try:
            return data.decode(declared)
        except (LookupError, UnicodeDecodeError):
            pass
    return decode(data, name)[0]


def _iso(date: str) -> str | None:
    m = _DATE.search(date)
    return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}-{int(m.group(3)):02d}" if m else None


def read_html(data: bytes, name: str) -> Parsed:
    bs4 = _need("bs4", "beautifulsoup4", name)
    soup = bs4.BeautifulSoup(_html_text(data, name), "lxml" if _has("lxml") else "html.parser")
    out = Parsed()
    metas = {(m.get("property") or m.get("name") or m.get("itemprop") or "").lower(): m.get("content") or ""
             for m in soup.find_all("meta")}
    title = metas.get("og:title") or (soup.title.get_text(" ", strip=True) if soup.title else "")
    for key in _DATE_META:
        if metas.get(key) and _iso(metas[key]):
            out.date = _iso(metas[key])
            break
    if not out.date:
        t = soup.find("time")
        out.date = _iso((t.get("datetime") or t.get_text()) if t else "")
    for tag in soup.find_all(_CHROME_TAGS):
        tag.decompose()
    for tag in soup.find_all(True):
        if tag.attrs is None:  # inside a tree already removed
            continue
        attrs = " ".join([tag.get("id") or ""] + list(tag.get("class") or []) + [tag.get("role") or ""])
        if attrs.strip() and _CHROME_ATTR.search(attrs) and tag.name not in ("html", "body", "article", "main"):
            tag.decompose()
    root = soup.find("article") or soup.find("main") or _densest(soup) or soup.body or soup
    h1 = root.find("h1") or soup.find("h1")
    if h1 and h1.get_text(strip=True):
        title = h1.get_text(" ", strip=True)
    out.title = _squash(re.split(r"\s[-_|–—]\s", title)[0]) if title else None
    if not out.date:
        out.date = _iso(root.get_text(" ")[:2000]) if _DATE.search(root.get_text(" ")[:2000]) else None
    for el in root.find_all(_BLOCK_TAGS):
        if el.find(_BLOCK_TAGS):  # a container of blocks: its children are read on their own
            continue
        text = _squash(el.get_text(" "))
        if not text or (out.title and text == out.title) or is_furniture(text):
            continue
        if _DATE.search(text) and len(text) <= 80 and not ends_sentence(text):
            out.date = out.date or _iso(text)  # a dateline: metadata, not a paragraph
            continue
        kind = "heading" if el.name in ("h1", "h2", "h3", "h4", "h5", "h6") else "paragraph"
        out.blocks.append((kind, text, None))
    return out


def _has(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def _densest(soup):
    """The element holding the most paragraph text directly: the article body on a page without <article>."""
    scores: Counter = Counter()
    for p in soup.find_all("p"):
        if p.parent is not None:
            scores[id(p.parent)] += len(p.get_text(strip=True))
    if not scores:
        return None
    best = scores.most_common(1)[0][0]
    return next((p.parent for p in soup.find_all("p") if id(p.parent) == best), None)


# ---- DOCX -------------------------------------------------------------------------------------------------------
def read_docx(path, name: str) -> Parsed:
    docx = _need("docx", "python-docx", name)
    try:
        d = docx.Document(str(path))
    except Exception as e:  # not a zip, not a Word document
        raise ReadError(f"{name}: not a readable .docx file ({type(e).__name__})") from None
    out = Parsed()
    props = d.core_properties
    out.title = (props.title or "").strip() or None
    if props.created:
        out.date = props.created.date().isoformat()
    for para in d.paragraphs:
        text = _squash(para.text)
        if not text:
            continue
        style = (para.style.name if para.style is not None else "") or ""
        if style == "Title" or style.startswith("Title"):
            out.title = out.title or text
            continue
        if re.match(r"(Heading|标题)\s*\d", style):
            if out.title is None and style.endswith("1") and not out.blocks:
                out.title = text
                continue
            out.blocks.append(("heading", text, None))
        elif not is_furniture(text):
            out.blocks.append(("paragraph", text, None))
    return out


# ---- PDF --------------------------------------------------------------------------------------------------------
_PAGE_NUMBER = re.compile(r"^[-—–\s]*(第\s*)?\d+\s*(页)?\s*([/／]\s*\d+\s*页?)?[-—–\s]*$|^page\s*\d+", re.I)


def read_pdf(path, name: str) -> Parsed:
    pypdf = _need("pypdf", "pypdf", name)
    try:
        reader = pypdf.PdfReader(str(path))
        if reader.is_encrypted:
            reader.decrypt("")
        pages = [(p.extract_text() or "") for p in reader.pages]
        meta = reader.metadata
    except Exception as e:  # damaged, encrypted, not a PDF
        raise ReadError(f"{name}: not a readable PDF ({type(e).__name__}: {e})") from None
    out = Parsed()
    meta_title = None
    try:
        if meta is not None:
            meta_title = (meta.title or "").strip() or None  # often "Microsoft Word - x.doc": the page's title wins
            if meta.creation_date:
                out.date = meta.creation_date.date().isoformat()
    except Exception:  # a malformed info dictionary costs the metadata, not the text
        pass
    if not any(t.strip() for t in pages):
        raise ReadError(f"{name}: the PDF has no text layer (a scan?); run OCR on it first")
    lines = [[_squash(ln) for ln in t.splitlines() if _squash(ln)] for t in pages]
    # running headers/footers: the same line on most pages
    common = Counter(ln for page in lines for ln in set(page))
    running = {ln for ln, n in common.items() if len(lines) >= 3 and n >= 0.6 * len(lines) and len(ln) <= 60}
    buf: list[str] = []
    buf_page = 1

    def flush() -> None:
        if buf:
            out.blocks.append(("paragraph", _squash("".join(buf) if _cjk(buf[0]) else " ".join(buf)), buf_page))
            buf.clear()

    for number, page in enumerate(lines, 1):
        for ln in page:
            if ln in running or _PAGE_NUMBER.match(ln) or is_furniture(ln):
                continue
            if not buf and out.title is None and not out.blocks and not _ends(ln) and len(ln) <= 60:
                out.title = ln
                continue
            if not buf and len(ln) <= 30 and not _ends(ln) and ln[-1:] not in ",，、:：":
                out.blocks.append(("heading", ln, number))
                continue
            if not buf:
                buf_page = number
            buf.append(ln)
            if _ends(ln):  # a line ending a sentence ends the paragraph (layouts wrap mid-sentence)
                flush()
    flush()
    out.title = out.title or meta_title
    return out


def _ends(line: str) -> bool:
    """A sentence end, Chinese or English ("." ends English sentences; cleaning.py leaves it out for Chinese)."""
    return ends_sentence(line) or line.rstrip("”’\"')").endswith(".")


def _cjk(s: str) -> bool:
    return bool(re.search(r"[\u4e00-\u9fff]", s))
