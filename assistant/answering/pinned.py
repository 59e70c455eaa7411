"""What a fact question pins down — a date, a venue, a rate, a cast; a year, an edition (第28届), a numbered name
(神舟十六号) — and whether a sentence gives it. A sentence on the right topic that lacks it, or that speaks of
another year or edition of the same thing, does not answer the question."""
from __future__ import annotations

import re

YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
RELATIVE_YEAR = re.compile(r"今年|去年|前年|明年|本届|上届|当年|本年度|同年|次年")

CN_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_UNIT = {"十": 10, "百": 100, "千": 1000, "万": 10000}


def cn_value(s: str) -> int | None:
    """The value of a simple Chinese numeral (十五 → 15, 两 → 2, 二〇一八 → 2018); None when it is not one."""
    if all(c in CN_DIGIT for c in s):
        return int("".join(str(CN_DIGIT[c]) for c in s))
    total, section, digit = 0, 0, None
    for c in s:
        if c in CN_DIGIT:
            digit = CN_DIGIT[c]
        elif c == "万":
            total, section, digit = (section + (digit or 0)) * 10000, 0, None
        else:
            section += (1 if digit is None else digit) * CN_UNIT[c]
            digit = None
    return total + section + (digit or 0)


# What a fact question pins down, and how a sentence that gives it reads. Asked of sentences on the right topic
# that lack it — another edition's report, a preview written before the event — the question is not answered.
ASKS_VENUE = re.compile(r"(在哪|哪里|哪儿|什么地方|哪个(城市|国家|地方)|何地|何处)\s*(举行|举办|召开|开幕|开赛|进行|办)|"
                        r"(举办|举行|召开)(的)?(地点|城市|地|国家)|地点(是|在)|在哪(里|儿)?[？?。\s]*$|where\b.*\b(held|hosted)",
                        re.I)
VENUE = re.compile(r"(在|于|落户|移师|来到)[^，。；;,]{1,30}(举行|举办|召开|开幕|开赛|进行|揭幕|落幕|启幕|拉开帷幕|打响|闭幕)|"
                   r"(举办|主办|承办)(地|城市|国|方)|东道主|花落|地点[为是：:]|(?<![全各本该我])[\u4e00-\u9fff]{1,5}(市|省|县|镇|州)")
ASKS_RATE = re.compile(r"(率|比例|占比|比重|份额|涨幅|跌幅|增速|增幅|降幅)(是|为|有|达到)?(多少|几)")
RATE = re.compile(r"\d\s*[%％‰]|百分之|个百分点|\d\s*成|[一二三四五六七八九]成")
ASKS_WHEN = re.compile(r"何时|哪天|哪一天|什么时候|啥时候|几月|几号|日期|什么时间|(?<![多长])时间[？?。\s]*$|when\b|what date",
                       re.I)
# a day, not an hour: 「18：30分」 or 「下午」 says when in the day, not which day
WHEN = re.compile(r"\d{1,2}\s*月|\d{1,2}\s*日|\d{4}\s*[-/.年]\s*\d{1,2}|[一二三四五六七八九十]+月|[上中下]旬|年底|年初|月底|"
                  r"月初|昨天|今天|明天|前天|当天|近日|日前|本周|上周|下周|周[一二三四五六日末]|星期")
ASKS_CAST = re.compile(r"主演|谁演|演员(有|是)|饰演|扮演者|出演")
CAST = re.compile(r"主演|饰演|出演|领衔|主角|扮演|演员|加盟|搭档|联袂")


PINNED = ((ASKS_WHEN, WHEN, "时间"), (ASKS_VENUE, VENUE, "地点"), (ASKS_RATE, RATE, "比率"), (ASKS_CAST, CAST, "演员"))


def pinned(question: str) -> list[tuple[re.Pattern, str]]:
    """The kinds of fact the question pins down: (how a sentence gives it, its name)."""
    return [(gives, what) for asks, gives, what in PINNED if asks.search(question)]


def pinned_gap(question: str, sentences: list[str]) -> str | None:
    """What a fact question pins down (a date, a venue, a rate, a cast) that none of SENTENCES — the answer's candidates —
    gives, named for the refusal; None when nothing pinned is missing."""
    for gives, what in pinned(question):
        if not any(gives.search(s) for s in sentences):
            return what
    return None
