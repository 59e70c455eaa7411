"""Bytes to text for plain-text reports: UTF-8 first, then GB18030 (what Chinese Windows tools write)."""
from __future__ import annotations

from assistant.errors import ReadError


def _common_chinese(ch: str) -> bool:
    try:
        lead = ch.encode("gb2312")[0]
    except UnicodeEncodeError:
        return False
    return 0xA1 <= lead <= 0xA9 or 0xB0 <= lead <= 0xD7  # punctuation rows, level-1 characters


def decode(data: bytes, name: str) -> tuple[str, str]:
    """Return (text, encoding). UTF-16 with a byte-order mark (what Windows Notepad saves as "Unicode"), UTF-8
    (with or without BOM), then GB18030 (a superset of GBK/GB2312), then Big5 (traditional-character files)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise ReadError(f"{name}: starts like UTF-16 text but does not decode as it") from None
    if b"\x00" in data[:4096]:
        raise ReadError(f"{name}: looks like a binary file, not a text report")
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        raise ReadError(f"{name}: neither UTF-8 nor GB18030/GBK text; save it as UTF-8 and try again") from None
    # GB18030 decodes almost any byte string. Real Chinese text is mostly common characters (GB2312 level 1)
    # and Chinese punctuation; Latin-1 or random bytes decode to rare ones.
    non_ascii = [ch for ch in text if ord(ch) > 127]
    if non_ascii and sum(map(_common_chinese, non_ascii)) < 0.6 * len(non_ascii):
        big5 = _big5(data)
        if big5 is not None:
            return big5, "big5"
        raise ReadError(f"{name}: neither UTF-8, GB18030/GBK nor Big5 text; save it as UTF-8 and try again")
    return text, "gb18030"


def _big5(data: bytes) -> str | None:
    """DATA as Big5 when it decodes strictly and reads as Chinese (mostly CJK characters and punctuation)."""
    try:
        text = data.decode("big5")
    except UnicodeDecodeError:
        return None
    non_ascii = [ch for ch in text if ord(ch) > 127]
    cjk = sum("\u4e00" <= ch <= "\u9fff" or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef"
              for ch in non_ascii)
    return text if non_ascii and cjk >= 0.9 * len(non_ascii) else None
