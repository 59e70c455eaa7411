"""Conversations: a question is read with its history only when it needs it — it points back (这些, 它), leaves
its topic out (那水利呢？, 待了多久？), names an item of the previous answer by position (第二条, 最后那个) or asks
for more (还有呢？, 举个例子) or less (简单点). A standalone question in a conversation is read alone, and refused
alone when the report lacks it. 「这是在哪一部分讲的？」 asks where the previous answer's quotes stand in the report."""
from __future__ import annotations

import re
from typing import Callable, Sequence

from assistant.answering.citations import MARKER
from assistant.answering.retrieve import Query

REFERS_BACK = re.compile(r"这些|这个|那些|那个|上述|以上|其中|前面|刚才|该|它们?|他们|这方面|这一块|这块|这部分|这一条")
ELLIPTIC = re.compile(r"^(那么?|还有|另外|此外|那个|and|what about|how about)|呢[？?!！。\s]*$", re.I)
MORE = re.compile(r"^(还有呢|还有吗|然后呢|接下来呢|后来呢|and then|then what|还有别的吗?|还有其他的?吗?|其他的?呢|别的呢|还有什么|继续|接着说|再说说|more|what else|"
                  r"anything else|"
                  # 「能说详细点吗」: more of the same topic than the answer quoted
                  r"(能|能不能|可以|可不可以|请|麻烦)?(再)?(说|讲|解释|介绍)(得|的)?(再)?(详细|具体|清楚|细)(一)?(点|些)(吗|儿|呢)?|"
                  r"(再|请|能)?(详细|具体|展开)(地)?(说说|讲讲|说一下|讲一下|介绍一下|点|一点|些)(吗|呢)?|"
                  r"(tell me )?more( details?)?( please)?|(can you )?elaborate|explain more|go on|"
                  # 「能举个例子吗」: the topic's other, more specific sentences
                  r"(能|能不能|可以|可不可以|请|麻烦)?(你)?(再)?(举|给|来)(我)?(个|几个|一个|一些)?(具体的?)?(例子|事例|案例)(吗|呢|看看|说说)?|"
                  r"(有|有没有)(什么)?(具体的?)?(例子|事例|案例)(吗|呢)?|举例(说明|说说)?(一下)?(吗|呢)?|比如说?(呢|哪些|有哪些)?|"
                  r"(can you )?give (me )?(an |some )?examples?( please)?|(any |an )?examples?|for (example|instance))"
                  r"[？?!！。\s]*$", re.I)
# 「能再简单点吗」「一句话概括一下」 after an answer: the previous question again, its best sentence only
BRIEF = re.compile(r"^((能|能不能|可以|可不可以|请|麻烦)?(你)?(再)?(说|讲|回答)?(得|的)?(再)?(简单|简短|简洁|通俗|短)(一)?(点|些)(说|讲)?(吗|呢|儿)?|"
                   r"(简单|简短)(地)?(说|讲|概括|总结)(一下)?(吗|呢)?|一句话(概括|总结|说|讲)(一下)?(吗|呢)?|"
                   r"(总结|概括)(一下)?(刚才|上面|前面|你)(说|讲|回答)?的?(内容|东西)?(吗|呢)?|"
                   r"(in short|tl;?dr|(can you )?(make it |say it )?(shorter|simpler)( please)?|"
                   r"summari[sz]e (that|it)))"
                   r"[？?!！。\s]*$", re.I)
_ORDINAL = "一二三四五六七八九十"
POSITION = re.compile(r"第\s*([一二三四五六七八九十]|\d{1,2})\s*(条|个|点|项|种|句|部分|方面|块|大块|节|章)|"
                      r"(最后|倒数第一|末尾)(那|一)?(条|个|点|项|部分|方面)|(后面|前面|上面)那(条|个|点|项)|"
                      r"\b(first|second|third|fourth|last)\s+(one|item|point|part|section)\b", re.I)
_EN = {"first": 1, "second": 2, "third": 3, "fourth": 4}
# "Where does it say that?": the place of the previous answer's quotes, not another answer
LOCATE = re.compile(r"(哪|什么)(一)?(个)?(部分|节|章|段|块|小标题|标题下)(里|中)?(讲|说|提|写|出现|来|讲到|提到)?的?|在哪(里|儿)?(讲|说|提|写)(的|到)|"
                    r"出自哪|出处(在|是)|原文在哪|which (part|section|paragraph)|where (does|did) (it|the report) (say|mention)",
                    re.I)
_ITEM_START = re.compile(r"(?<![\d.])(?:\d{1,2}[.、．)）](?!\d)|[（(]\d{1,2}[)）]|[①②③④⑤⑥⑦⑧⑨⑩])\s*")
LEAD = re.compile(r"^[^——\n]{1,24}——")  # the number or date an answer leads with (「15个——」) is not part of its quote
_MARKED = re.compile(r"[^\[\]。；;\n]+?(?=\[\d+\])")


def user_turns(history: Sequence[dict] | None) -> list[str]:
    return [str(m.get("content") or "").strip() for m in history or ()
            if isinstance(m, dict) and m.get("role") == "user" and str(m.get("content") or "").strip()]


def last_answer(history: Sequence[dict] | None) -> str:
    for m in reversed(list(history or ())):
        if isinstance(m, dict) and m.get("role") == "assistant":
            return str(m.get("content") or "")
    return ""


def items(answer: str) -> list[str]:
    """The items of an answer, in order: its numbered lines, else its marked quotes; markers removed."""
    body = answer.split("\n来源")[0]
    starts = list(_ITEM_START.finditer(body))
    found = [body[m.end():(starts[i + 1].start() if i + 1 < len(starts) else len(body))] for i, m in enumerate(starts)]
    if len(found) < 2:
        found = [m.group(0) for m in _MARKED.finditer(body)]
    cleaned = [LEAD.sub("", MARKER.sub("", f)).strip(" ：:，,。；;、\n") for f in found]
    return [c for c in cleaned if len(c) >= 2]


def _position(m: re.Match, count: int) -> int | None:
    """0-based index the match names among COUNT things, or None."""
    if m.group(1):
        n = m.group(1)
        k = int(n) if n.isdigit() else _ORDINAL.index(n) + 1
        return k - 1 if 1 <= k <= count else None
    if m.group(3) or (m.group(5) and m.group(5) == "后面"):
        return count - 1 if count else None
    if m.group(5):  # 前面那个 / 上面那个: the one before the last
        return max(0, count - 2) if count else None
    word = (m.group(7) or "").lower()
    if word == "last":
        return count - 1 if count else None
    k = _EN.get(word)
    return k - 1 if k and k <= count else None


def _section_unit(m: re.Match) -> bool:
    unit = (m.group(2) or m.group(4) or m.group(8) or "").lower()
    return unit in ("部分", "方面", "块", "大块", "节", "章", "part", "section")


def follows_up(question: str) -> bool:
    """QUESTION points back (这些, 它), leaves its topic out (那…呢) or names an item by position (第三个)."""
    return bool(REFERS_BACK.search(question) or ELLIPTIC.search(question) or POSITION.search(question)
                or MORE.match(question.strip()) or BRIEF.match(question.strip()))


def contextualize(question: str, history: Sequence[dict] | None, topic_words: Callable[[str], list[str]],
                  sections: Callable[[], list[str]] = lambda: []) -> Query:
    """What retrieval should search for: QUESTION alone, or read with the conversation (see the module doc).
    SECTIONS gives the report's section headings in order (for "第二部分…")."""
    turns = user_turns(history)
    pos = POSITION.search(question)
    if pos and _section_unit(pos):
        heads = sections()
        k = _position(pos, len(heads))
        if k is not None:
            rest = (question[:pos.start()] + question[pos.end():]).strip(" 的，,")
            return Query(f"{heads[k]} {rest}".strip(), kind="section", section=heads[k])
    if not turns:
        return Query(question)
    previous = last_answer(history)
    if LOCATE.search(question) and (REFERS_BACK.search(question) or re.match(r"\s*(这|那|它)", question)
                                    or re.search(r"\b(that|this|it|these|those)\b", question, re.I)
                                    or not [w for w in topic_words(question) if len(w) >= 2]):
        quotes = tuple(items(previous)) if previous else ()
        if quotes:
            return Query(turns[-1], kind="locate", exclude=quotes)
    if MORE.match(question.strip()):
        given = tuple(items(previous)) if previous else ()
        return Query(turns[-1], kind="more", exclude=given)
    if BRIEF.match(question.strip()):
        return Query(turns[-1], kind="brief")
    if pos:
        listed = items(previous)
        k = _position(pos, len(listed))
        if k is not None:
            rest = (question[:pos.start()] + question[pos.end():]).strip(" 的，,")
            return Query(f"{listed[k]} {rest}".strip(), turns[-1], "item", item=listed[k])
    if REFERS_BACK.search(question):
        return Query(question, turns[-1], "refers")
    own = [w for w in topic_words(question) if len(w) >= 2]
    if ELLIPTIC.search(question) or not own:
        return Query(question, turns[-1], "elliptic")
    return Query(question)
