"""What a fact question pins down — a date, a venue, a rate, a cast, a span of time; a year or an edition
(第28届) — and whether a sentence gives it. A sentence on the right topic that lacks it, or that speaks of
another year or edition of the same thing, does not answer the question."""
from __future__ import annotations

import re
from typing import Callable

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
VENUE = re.compile(r"(在|于|落户|移师|来到)(?![\d\s年月日号至到\-—～~上中下午旬时点分：:]+(举行|举办|召开|开幕|开赛|进行))[^，。；;,]{1,30}(举行|举办|召开|开幕|开赛|进行|揭幕|落幕|启幕|拉开帷幕|打响|闭幕)|"
                   r"(举办|主办|承办)(地|城市|国|方)|东道主|花落|地点[为是：:]|(?<![全各本该我])[\u4e00-\u9fff]{1,5}(市|省|县|镇|州)")
# 「…增长率」 ending a question asks the rate too; 「占多大比例」 may be answered by the two counts it is made of
ASKS_RATE = re.compile(r"(率|比例|占比|比重|份额|涨幅|跌幅|增速|增幅|降幅)(是|为|有|达到)?(多少|几)|(率|涨幅|跌幅|增速|增幅|降幅)[？?。\s]*$")
RATE = re.compile(r"\d\s*[%％‰]|百分之|个百分点|\d\s*成|[一二三四五六七八九]成")
# A share or a change is told in percent (「CPI上涨了多少」 → 6.5%); an amount is not (「营收为多少」 is not answered by
# 「增长2.18%」, 「汽车出口量」 not by 「同比增长54.4%」). Quantities reported as a rate of change count as one.
PERCENT = re.compile(r"\d+(?:\.\d+)?\s*[%％‰]|百分之[零一二两三四五六七八九十百点]+")
ASKS_SHARE = re.compile(r"率|比例|占|比重|份额|成数|涨|跌|增|降|升|提高|下滑|回落|减少|变化|变动|幅|百分|[%％]|CPI|PPI|通胀|物价|"
                        r"percent|\brate\b|share|rise|rose|grow|grew|fall|fell|increase|decrease|drop", re.I)


def asks_amount(question: str) -> bool:
    """QUESTION asks how much or how many of something, not a share or a change: a percentage does not answer it."""
    return not ASKS_SHARE.search(question)


ASKS_WHEN = re.compile(r"何时|哪天|哪一天|什么时候|啥时候|几月|几号|日期|什么时间|(?<![多长])时间[？?。\s]*$|when\b|what date",
                       re.I)
# a day, not an hour: 「18：30分」 or 「下午」 says when in the day, not which day
WHEN = re.compile(r"\d{1,2}\s*月|\d{1,2}\s*日|\d{4}\s*[-/.年]\s*\d{1,2}|[一二三四五六七八九十]+月|[上中下]旬|年底|年初|月底|"
                  r"月初|昨天|今天|明天|前天|当天|近日|日前|本周|上周|下周|周[一二三四五六日末]|星期")
ASKS_CAST = re.compile(r"主演|谁演|演员(有|是)|饰演|扮演者|出演|(?<![导表讲推上开扮])演(?:的是|的|是)?(?:谁|哪个角色|什么角色)")
# a cast is named with 主演/饰演…; 「演员阵容很强大」 names none
CAST = re.compile(r"主演|(?<![装服修掩粉文首配])饰|出演|演的是|角色是|领衔|主角|扮演|演员(?:有|是|表|包括|[:：])|加盟|搭档|联袂")
# (「这几年」「近几个月」 name a span the asker lived through, they ask nothing)
ASKS_DURATION = re.compile(r"多久|多长时间|多少(?:天|年|个月|周)|(?<![这那近前后头])几(?:天|年|个月|周)(?![前后])")
DURATION = re.compile(r"(?<![\d.月])(?:\d{1,3}(?:\.\d+)?|[一二两三四五六七八九十百几半]+)\s*(?:个)?(?:天|日|周|星期|个月|年|小时)"
                      r"(?:多|左右|之久|时间|以来|间)?(?!\d)|(?:\d{1,3}|[一二两三四五六七八九十百几半]+)\s*(?:个)?月(?:多|左右|之久|时间)")
# A span of time (6至12个月, 3年, 两周): what a "how long" asks, not what a "how many" or "how much" of anything else does
# (「CPI上涨了多少」 is not answered by 「需要6至12个月」). SPAN_AFTER reads it from just after the number.
_SPAN = r"\s*(?:[至到~～\-]\s*(?:\d+|[一二两三四五六七八九十百几半]+)\s*)?(?:个)?(?:天|周|星期|个月|年|小时|分钟)(?:多|左右|之久|以来|间)?"
SPAN_AFTER = re.compile(_SPAN)
SPAN_OF_TIME = re.compile(r"(?:\d+(?:\.\d+)?|[一二两三四五六七八九十百几半]+)" + _SPAN)


# who directed a film or a show (「导演是谁」「谁执导的」) is told beside 导演 or 执导: a sentence on the film that names
# neither says something else about it
ASKS_DIRECTOR = re.compile(r"导演(?:是谁|是|有|为)|谁(?:导演|执导|导的|拍的)|(?:执导|导演)(?:的)?(?:是|者)?[？?。\s]*$")
DIRECTOR = re.compile(r"导演|执导|编导|导筒")

# which group a team or a contestant is drawn in (「德国队在哪个组」) is told by the group's letter or number
ASKS_GROUP = re.compile(r"(?:哪个|哪一个?|什么|哪)\s*(?:小)?组(?![织成建合员长])|分在哪")
GROUP = re.compile(r"(?<![A-Za-z])[A-Ha-h]\s*组|第\s*(?:\d+|[一二三四五六七八九十]+)\s*(?:小)?组|同组|同一(?:小)?组")

PINNED = ((ASKS_WHEN, WHEN, "时间"), (ASKS_VENUE, VENUE, "地点"), (ASKS_RATE, RATE, "比率"), (ASKS_CAST, CAST, "演员"),
          (ASKS_DURATION, DURATION, "时长"), (ASKS_GROUP, GROUP, "分组"), (ASKS_DIRECTOR, DIRECTOR, "导演"))


def pinned(question: str) -> list[tuple[re.Pattern, str]]:
    """The kinds of fact the question pins down: (how a sentence gives it, its name)."""
    return [(gives, what) for asks, gives, what in PINNED if asks.search(question)]


# The event a "when" question dates: the word before 时间/日期 (上映日期, 去世时间) or after 何时/什么时候 (何时开始施行
# → 施行). A date in a sentence that never names it dates something else (a share price on 11月23日).
WHEN_EVENT = re.compile(r"([\u4e00-\u9fff]{2})[日的]*(?:时间|日期)(?:是|在|为)?(?:哪天|哪一天|几号|什么时候|何时)?[？?。\s]*$|(?:何时|哪天|哪一天|什么时候|啥时候)"
                        r"(?:开始|正式|将|会|要|能|才|被|再|在|是)*([\u4e00-\u9fff]{2})")
NO_EVENT = {"什么", "具体", "准确", "确切", "大概", "开始", "结束", "举行", "举办", "召开", "进行", "哪天", "日期"}


def when_event(question: str) -> str | None:
    """What a "when" question asks the date of (「伊丽莎白二世去世时间」 → 去世), or None."""
    m = WHEN_EVENT.search(question)
    word = m and (m.group(1) or m.group(2))
    return word if word and word not in NO_EVENT else None


# An event said in other words: its being held (「…将于11月5日至10日举行」 dates its 开幕 too), a film's or a show's
# release (「已定档4月12日登陆俄罗斯院线」 dates its 上映).
HELD = re.compile(r"举行|举办|召开|开幕|开赛|揭幕|启幕|开启|拉开帷幕|开展|闭幕")
RELEASED = re.compile(r"上映|公映|首映|定档|登陆|上线|播出|首播|开播")


def _said(event: str, sentence: str) -> bool:
    """SENTENCE names EVENT or another word for it."""
    return event in sentence or any(c.fullmatch(event) and c.search(sentence) for c in (HELD, RELEASED))


def names_event(event: str | None, sentence: str) -> bool:
    """SENTENCE names EVENT, a word for it, or a word ending like it (去世 → 逝世)."""
    return event is None or _said(event, sentence) or event[-1] in sentence


# a day named outright (11月15日, 2023年1月8日), not 今天 or 近日
DAY = re.compile(r"\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}\s*[-/.]\s*\d{1,2}\s*[-/.]\s*\d{1,2}|[一二三四五六七八九十]+月[一二三四五六七八九十]+日")


def gives_pinned(question: str, sentence: str) -> bool:
    """QUESTION pins a fact (a date, a venue, a rate, a cast, a span of time) and SENTENCE gives every one pinned,
    plainly: a day named outright beside the event's own word (「于2022年11月15日至16日…举行」 for 「峰会的时间」)."""
    kinds = pinned(question)
    if not kinds or pinned_gap(question, [sentence]) is not None:
        return False
    event = when_event(question)
    return not any(gives is WHEN for gives, _ in kinds) or bool(DAY.search(sentence)) and (
        event is None or _said(event, sentence))


def pinned_gap(question: str, sentences: list[str], known: Callable[[str], bool] = lambda w: True) -> str | None:
    """What a fact question pins down (a date, a venue, a rate, a cast) that none of SENTENCES — the answer's candidates —
    gives, named for the refusal; None when nothing pinned is missing. The date of a "when" question is given by a
    sentence that names the event dated — when the texts use the event's word at all (KNOWN): 「啥时候开始下去的」
    says 进驻 in the asker's words, and a text that never says 下去 cannot be held to it."""
    event = when_event(question)
    if event is not None and not known(event):
        event = None
    for gives, what in pinned(question):
        if not any(gives.search(s) and (gives is not WHEN or names_event(event, s)) for s in sentences):
            return what
    return None


# Which one of a series a text speaks of: a year (2022), an edition or a round (第28届, 第二次), or the number of a
# numbered name (神舟十六号, 地铁19号线: its kind is the name). A sentence on one that names the one before it as well
# (「神舟十六号…与神舟十五号完成轮换」) still names the one asked.
EDITION = re.compile(r"第\s*(\d+|[零一二两三四五六七八九十百]+)\s*(届|次|季|期|轮|代|棒|集|场)")
NUMBERED = re.compile(r"([\u4e00-\u9fff]{2})\s*(\d+|[零一二两三四五六七八九十百]+)\s*号")
# an instance, a trial, a phase or a quarter counted without 第 (一审/二审, 一期/二期, 一季度), a half year, and a model or
# a class named by letters and a number (MIX4, U14组, Q3): another number of the same kind is another one
ORDINAL = re.compile(r"(?<![第\d零一二两三四五六七八九十百同这那每统单唯])([一二三四])\s*"
                     r"(审(?![批核查计议定视阅稿])|期(?![间望待盼限])|季度)")
HALF_YEAR = re.compile(r"([上下])半年")
MODEL = re.compile(r"(?<![A-Za-z])([A-Za-z]{1,8})\s?(\d{1,3})(?![\d.])")
ASIDE = re.compile(r"（[^（）]*）|\([^()]*\)")  # 「（第一位达成的是2017年的纳达尔）」 is an aside, not what it reports


# A year a sentence compares with (比2021年, 与2022年同期相比) or counts from (2015年以来) is not the one it reports.
BESIDE_YEAR = re.compile(r"(?:比|较|与|同|相比于?|相较于?|高于|低于|超过|对比|自|从)\s*(?:19|20)\d{2}|"
                         r"(?:19|20)\d{2}\s*年?(?:以来|起|至今|同期|以后|之后)")


def editions(text: str) -> set[tuple[str, int]]:
    """(kind, number) for each year or edition TEXT names outside asides: ("年", 2022), ("届", 28)."""
    text = ASIDE.sub(" ", text)
    out = {("年", int(y)) for y in YEAR.findall(BESIDE_YEAR.sub(" ", text))}
    for m in EDITION.finditer(text):
        value = _number(m.group(1))
        if value is not None:
            out.add((m.group(2), value))
    for m in NUMBERED.finditer(text):
        value = _number(m.group(2))
        if value is not None:
            out.add((m.group(1) + "号", value))
    for m in ORDINAL.finditer(text):
        out.add(({"季度": "季"}.get(m.group(2), m.group(2)), CN_DIGIT[m.group(1)]))  # 一季度 is 第一季
    out |= {("半年", "上下".index(h) + 1) for h in HALF_YEAR.findall(text)}
    out |= {(kind.lower(), int(n)) for kind, n in MODEL.findall(text)}
    return out


def _number(numeral: str) -> int | None:
    return int(numeral) if numeral.isdigit() else cn_value(numeral)


def other_edition(question: str, sentence: str) -> bool:
    """SENTENCE speaks of another year or edition than the one QUESTION pins: it names some of that kind and not the
    one asked (「2023年第57届世乒赛…举行」 of a 2022 question). A sentence with a relative year (今年, 本届) may mean
    the asked one."""
    asked = editions(question)
    if not asked:
        return False
    said = editions(sentence)
    relative = bool(RELATIVE_YEAR.search(sentence))
    for kind in {k for k, _ in asked}:
        theirs = {v for k, v in said if k == kind}
        if theirs and not theirs & {v for k, v in asked if k == kind} and not (relative and kind in "年届"):
            return True
    return False


# The part of a year a figure is for: a quarter (一季度, 第一季度, Q1, 1-3月), a half (上半年, 1-6月) or a month (8月, 八月 —
# not a day's 8月30日). A figure for the whole year, or another quarter, is not the one asked.
QUARTER = re.compile(r"(?<![第零一二两三四五六七八九十百同这那每统单唯])([一二三四1-4])\s*季度|第\s*([一二三四1-4])\s*季度|"
                     r"(?<![A-Za-z])[Qq]([1-4])(?!\d)|"
                     r"(?<![\d\-])(1|4|7|10)\s*[-—至到~～]\s*(3|6|9|12)\s*月")
HALF = re.compile(r"([上下])半年|(?<![\d\-])(1|7)\s*[-—至到~～]\s*(6|12)\s*月|前(6|六)个月")
MONTH = re.compile(r"(?<![\d\-—至到~～])(1[0-2]|0?[1-9])\s*月(?:份)?(?!\s*\d|\s*[上中下]旬|[底初末])|"
                   r"(?:(?<=年)|(?<![\u4e00-\u9fff]))(十[一二]|[一二三四五六七八九十])月(?:份)?(?![一二三四五六七八九十\d])")
_Q = {"一": 1, "二": 2, "三": 3, "四": 4}


def periods(text: str) -> set[tuple[str, int]]:
    """The parts of a year TEXT names: ("季", 1) for a first quarter, ("半年", 1) for the first half, ("月", 8)."""
    out = set()
    for m in QUARTER.finditer(text):
        if m.group(4):
            out.add(("季", (int(m.group(4)) + 2) // 3))
        else:
            q = m.group(1) or m.group(2) or m.group(3)
            out.add(("季", _Q.get(q) or int(q)))
    for m in HALF.finditer(text):
        out.add(("半年", 1 if (m.group(1) == "上" or m.group(2) == "1" or m.group(4)) else 2))
    for m in MONTH.finditer(text):
        out.add(("月", int(m.group(1)) if m.group(1) else cn_value(m.group(2))))
    return out


def unmentioned_periods(question: str, texts: list[str]) -> list[str]:
    """The quarter, half year or month QUESTION asks a figure for (「2022年一季度…增长率」) that none of TEXTS names:
    their figures are for another part of the year, or the whole of it. Named as the question writes it."""
    asked = periods(question)
    if not asked:
        return []
    said = periods("\n".join(texts))
    if not (asked - said):
        return []
    return [m.group(0) for p in (QUARTER, HALF, MONTH) for m in p.finditer(question) if periods(m.group(0)) - said]
