"""What a question asks for that the candidate text lacks: a number, a unit, a date, a definition, a cause, what
comes next, a ranking, a comparison, a name — each a reason a text on the right topic still does not answer it.
The judge (judge.py) weighs these among its signals; a few are refusals on their own (a year, a number or a
coined term's meaning the report never gives)."""
from __future__ import annotations

import re
from typing import Any, Callable

from assistant.answering.pinned import (ASKS_DURATION, ASKS_WHEN, PERCENT, RELATIVE_YEAR, SPAN_OF_TIME, YEAR, asks_amount,
                                        cn_value)
from assistant.answering.understand import QUANTITY, YES_NO

# A count or ordinal's measure word (个, 家, 轮, 级…).
MEASURE_WORDS = (r"个|家|名|位|项|次|年|月|日|天|周|轮|批|人|所|条|件|省|市|县|户|元|亩|吨|座|处|倍|成|公里|千米|米|千瓦"
                 r"|兆瓦|万|亿|级|类|届|期|部分|方面")
# A number in a sentence: digits, a Chinese numeral with a magnitude (五十, 三千, 十五, 两万) or any Chinese numeral
# with a measure word or unit (两个, 三户, 五十兆瓦). A lone 一/十 without one is not (一些, 统一, 十分).
NUMBER = re.compile(r"\d|[一二两三四五六七八九][十百千万亿]|[十百千万亿][一二三四五六七八九]"
                    r"|[零一二两三四五六七八九十百千万亿]+(?:个|家|名|位|项|次|年|月|日|天|周|轮|批|人|所|条|件|省|市|县"
                    r"|户|元|亩|吨|座|处|倍|成|公里|千米|米|千瓦|兆瓦|万|亿)")
DIGITS = re.compile(r"\d+(?:\.\d+)?")

DATE_TEXT = re.compile(r"\d{4}年|\d{1,2}月|\d{1,2}日|[上中下]旬|年底|年初|月底|[一二三四五六七八九十]+月")
ASKS_YEAR = re.compile(r"哪年|哪一年|哪个年份|什么年份|what year|which year", re.I)
YEAR_TEXT = re.compile(r"\d{4}年|[一二三四五六七八九〇零]{4}年|去年|今年|前年")
# What a question asks for, and how a sentence that gives it reads: asking "why" of a text that states no cause,
# "what next" of one that reports the past, "which is the most" of one that ranks nothing, is asking what it lacks.
ASKS_CAUSE = re.compile(r"为什么|为何|原因|怎么会|咋会|why\b|what caused|reason", re.I)
CAUSE = re.compile(r"因为|由于|原因|导致|造成|所以|因此|致使|源于")
ASKS_FUTURE = re.compile(r"后来|之后|以后|今后|下一[轮步届次]|明年|将来|未来|会不会|能不能.{0,12}(如期|按时|完成)|还会|是否会|"
                         r"will\b|going to|next (round|year)|afterwards|later", re.I)
FUTURE = re.compile(r"将|计划|下一步|今后|明年|后续|拟|预计")
ASKS_MEMBER = re.compile(r"在不在|是不是.{0,12}(之一|里|中)|有没有.{0,10}(在内|在里面)|包不包括|是否包括|包括.{0,10}吗|"
                         r"里有没有|中有没有|one of|among|included", re.I)
ASKS_MOST = re.compile(r"最[多少大小严重好差高低快慢突出]|哪个.{0,8}最|most\b|worst|best\b|biggest", re.I)
ASKS_COMPARE = re.compile(r"相比|比较|对比|区别|不同|一样吗|多了还是少了|compare|difference|versus|\bvs\b", re.I)
COMPARES = re.compile(r"相比|比[^较例如重]{1,6}[多少高低强弱]|同比|增长|下降|增加|减少|区别|不同于")
# "多少钱" needs an amount of money, "多少人" a count of people: the measure word the question asks with.
# 「每个月能拿多少驻村补贴」「罚款多少」: an amount of money, named by what it is paid as
PAID_AS = ("补贴", "补助", "津贴", "工资", "薪水", "奖金", "报酬", "罚款", "费用", "学费")
_PAID = "|".join(PAID_AS)
ASKS_UNIT = re.compile(r"(?:多少|几)\s*(钱|元|人|条|家|个|项|次|轮|份|名|位|省|批|年|月|天|户|亩)|how much money|"
                       f"多少[\u4e00-\u9fff]{{0,3}}?({_PAID})|({_PAID})(?:是|有|能拿|能领|为)?多少", re.I)
# items are counted with any of the general measure words: 「一共几项」 is answered by 「四个落实」
ITEMS = "个|项|条|件|方面|类|点"
# an amount of money is in a currency (「600万」 alone counts people or anything else)
MONEY = r"[万亿千百]*\s*(?:[美欧日韩港台英]?元|英?镑|卢布|兹罗提|法郎|美金|港币|块)"
UNIT_OF = {"钱": MONEY, "元": MONEY, "how much money": MONEY, **dict.fromkeys(PAID_AS, MONEY),
           "个": ITEMS, "项": ITEMS, "条": ITEMS, "件": ITEMS}
DEFINES = re.compile(r"即|是指|指的是|包括|分别是|分别为|就是|也就是|是.{0,12}的(简称|统称)")


def gaps(text: str, reading: Any, best: list[str], contexts: list[str], top_text: str, terms: dict[str, float],
         known: Callable[[str], bool], names: Callable[[str], list[str]]) -> dict[str, float]:
    """Each kind of thing a question may ask for, 1.0 when it asks for it and the candidates lack it. NAMES finds
    the proper names in a text (Tokenizer.names)."""
    wants_number = bool(getattr(reading, "wants_number", QUANTITY.search(text)))
    wants_date = bool(getattr(reading, "wants_date", False))
    unknown = [t for t in terms if len(t) >= 2 and not known(t)]
    return {
        "number": float(wants_number and not _states_a_number(best, _counted(text, terms, known)
                                                               or _focus(terms, known),
                                                               None if wants_date or ASKS_WHEN.search(text) else text)),
        "unit": _unit_gap(text, best),
        "date": float(wants_date and not any(DATE_TEXT.search(s) for s in best)
                      or bool(ASKS_YEAR.search(text)) and not any(YEAR_TEXT.search(s) for s in best)),
        "definition": float(bool(getattr(reading, "wants_definition", False))
                            and not any(DEFINES.search(c) for c in contexts[:1])),
        "cause": float(bool(ASKS_CAUSE.search(text)) and not CAUSE.search(top_text)),
        "future": float(bool(ASKS_FUTURE.search(text)) and not any(FUTURE.search(s) for s in best)),
        "superlative": float(bool(ASKS_MOST.search(text)) and not any("最" in s for s in best)),
        "comparison": float(bool(ASKS_COMPARE.search(text)) and not COMPARES.search(top_text)),
        # 「是哪两家？」「导演是谁」 of sentences that name no one (a name the question already gives is not an answer)
        "name": float(bool(getattr(reading, "wants_names", False))
                      and not any(n not in text for s in best for n in names(s))),
        # "is X among them?" of an X the report never names
        "membership": float(bool(ASKS_MEMBER.search(text)) and bool(unknown)),
    }


def unmentioned_years(question: str, texts: list[str]) -> list[str]:
    """Years the question names that none of the best paragraphs (nor their headings) mentions — unless those
    paragraphs speak of a year only relatively (今年, 本届), which may be the one asked about."""
    years = list(dict.fromkeys(YEAR.findall(question)))
    if not years:
        return []
    text = "\n".join(texts)
    if RELATIVE_YEAR.search(text):
        return []
    return [y for y in years if y not in text]


COUNT_ASK = re.compile(r"(?:多少|几)\s*(?:个|家|名|位|项|次|条|批|轮|份|户|所|件|省)?")


def _counted(text: str, terms: dict[str, float], known: Callable[[str], bool]) -> str | None:
    """What a "how many" counts: the first of the question's words after 几家/多少个 (「有几家中管金融企业接受了巡视」
    counts 中管金融企业, not 接受)."""
    m = COUNT_ASK.search(text)
    if not m:
        return None
    after = text[m.end():]
    placed = [(after.find(t), t) for t in terms if len(t) >= 2 and known(t) and t in after]
    return min(placed)[1] if placed else None


def _focus(terms: dict[str, float], known: Callable[[str], bool]) -> str | None:
    """The rarest of the question's words that the text uses: what a number asked for must be a number of."""
    used = [t for t in terms if len(t) >= 2 and known(t)]
    return max(used, key=lambda t: terms[t]) if used else None


# digits that label rather than count: a name with digits in it (Q4, MIX4, U14), a list's numbering (「1、官网」)
LABEL = r"[A-Za-z]+\d+|(?<![\d.])\d{1,2}\s*[、．](?!\d)"
LABELS = re.compile(LABEL)
# not a count: a year, a day, a time, a date, a label
NOT_A_COUNT = re.compile(r"(?:19|20)\d{2}\s*年?|\d{1,2}\s*[月日号]|\d{1,2}\s*[:：]\s*\d{2}|\d{4}\s*[-/.]\s*\d{1,2}"
                         r"(?:\s*[-/.]\s*\d{1,2})?|" + LABEL)


def _states_a_number(sentences: list[str], focus: str | None, question: str | None = None) -> bool:
    """Some sentence gives a number together with what it counts ("吞吐量…2500万人次") — not a year; and for a
    QUESTION that asks a count (None: one asking a day), not a date or a time, nor a number the question itself
    names (「2023年北京…指标有多少个」 is not answered by 2023)."""
    named = re.findall(r"\d+(?:\.\d+)?|[零一二两三四五六七八九十百千万亿]{2,}", question or "")
    amount = question is not None and asks_amount(question)
    for s in sentences:
        if focus is not None and focus not in s:
            continue
        rest = NOT_A_COUNT.sub(" ", s) if question is not None else YEAR.sub("", s)
        if amount:
            rest = PERCENT.sub(" ", rest)  # 「营收为多少」 of 「仅增长2.18%」: a change, not the amount asked
        if question is not None and not ASKS_DURATION.search(question):
            rest = SPAN_OF_TIME.sub(" ", rest)
        for n in sorted(named, key=len, reverse=True):
            rest = rest.replace(n, " ")
        if NUMBER.search(rest):
            return True
    return False


def _unit_gap(question: str, sentences: list[str]) -> float:
    """1.0 when the question counts in a unit ("多少条", "多少钱") that no candidate sentence puts after a number."""
    m = ASKS_UNIT.search(question)
    if not m:
        return 0.0
    unit = next((g for g in m.groups() if g), m.group(0).lower())
    units = UNIT_OF.get(unit, re.escape(unit))
    number = r"(?:\d+(?:\.\d+)?|[零一二两三四五六七八九十百千万亿]+)\s*"
    return float(not any(re.search(number + f"(?:{units})", s) for s in sentences))


def phrase_split(question: str, texts: list[str], words: Any) -> float:
    """1.0 when two words the question writes as one phrase (教育扶贫) both occur in the best paragraph, but never
    together: the paragraph speaks of each, not of the thing the phrase names."""
    if not texts:
        return 0.0
    text = texts[0]
    tokens = words.words(question)
    for a, b in zip(tokens, tokens[1:]):
        if len(a) < 2 or len(b) < 2 or a + b not in question:
            continue
        if a in text and b in text and a + b not in text and not re.search(
                re.escape(a) + r".{0,4}" + re.escape(b), text):
            return 1.0
    return 0.0


# A count or an ordinal the question names: 30个, 第三轮, 两家, 五级 (not 一个/一些, which count nothing).
NAMED_NUMBER = re.compile(rf"(第?)(\d+(?:\.\d+)?|[零一二两三四五六七八九十百千]+)\s*({MEASURE_WORDS})")
OPEN, CLOSE = "“\"「『", "”\"」』"  # the quotes a term or a claim is written in
QUOTED = re.compile(f"[{OPEN}][^{CLOSE}]*[{CLOSE}]")


def _value(numeral: str) -> float | None:
    return float(numeral) if DIGITS.fullmatch(numeral) else cn_value(numeral)


def missing_numbers(question: str, texts: list[str]) -> list[str]:
    """Counts and ordinals the question names (第三轮, 30个, 两家) that no text names, in digits or in characters:
    a question about the third round is not answered by the second. An ordinal must be found as an ordinal; a lone
    一 is an article (一个问题), not a count; years are unmentioned_years' work."""
    question = QUOTED.sub("", question)  # a quoted claim is someone else's words (「以下为最新修订：“…3个月”」)
    asked = [(m.group(0), value, bool(m.group(1))) for m in NAMED_NUMBER.finditer(question)
             if (value := _value(m.group(2))) is not None and (value != 1 or m.group(1)) and m.group(3) != "年"]
    if not asked:
        return []  # most questions name no number: the texts need not be read
    text = "\n".join(texts)
    counts = {float(d) for d in DIGITS.findall(text)}
    ordinals = set()
    for m in NAMED_NUMBER.finditer(text):
        value = _value(m.group(2))
        if value is not None:
            counts.add(value)
            if m.group(1):
                ordinals.add(value)
    return list(dict.fromkeys(said for said, value, ordinal in asked if value not in (ordinals if ordinal else counts)))


# A coined term in quotes asked about itself: 「“五级书记”是哪五级？」, 「“两个维护”维护的分别是什么？」
TERM_ASKED = re.compile(f"[{OPEN}]([^{CLOSE}]{{2,12}})[{CLOSE}]" r"(?!方面|部分|这块|那块|里|中)(.{0,3}?)(具体)?(是指|指的是|指什么|"
                        r"指啥|指哪|是什么意思|什么意思|啥意思|的含义|的意思|是哪[一二两三四五六七八九十几]|分别(是|指|为)|"
                        r"是什么[？?。\s]*$|是啥[？?。\s]*$)")
# or its own parts asked one by one, in its words: 「“两不愁、三保障”到底是不愁啥、保障啥？」 (not 「“数字整改”是在什么
# 背景下出现的」, which asks where it comes in)
TERM_PARTS_ASKED = re.compile(f"[{OPEN}]([^{CLOSE}]{{2,12}})[{CLOSE}]" r".{0,3}?是(?P<parts>[^，,。？?]{1,10}?)(?:啥|什么)")
DEFINED_AFTER = f"[{CLOSE}]?" r"[,，、]?\s*(即|是指|指的是|包括|包含|就是|也就是|分别是|分别为|：|:|（|\()"
NUMERAL = re.compile(r"[一二两三四五六七八九十百千\d]")


def asked_term(question: str) -> str | None:
    """The term in quotes whose meaning the question asks (「“五级书记”是哪五级？」 → 五级书记)."""
    m = TERM_ASKED.search(question)
    if m:
        return m.group(1)
    m = TERM_PARTS_ASKED.search(question)
    parts = m and m.group("parts")
    # in its own words: two characters of the parts asked are two of the term's (不愁 of 两不愁)
    return m.group(1) if parts and any(parts[i:i + 2] in m.group(1) for i in range(len(parts) - 1)) else None


def defines(term: str, text: str) -> bool:
    """TEXT says what TERM is: 「…“四个落实”,即落实…」, 「X是指…」, 「X：…」, or names it as the short form (简称X)."""
    return bool(re.search(re.escape(term) + DEFINED_AFTER, text)
                or re.search(f"(简称|统称|合称)[{OPEN}]?" + re.escape(term), text))


def undefined_term(question: str, texts: list[str]) -> str | None:
    """A coined term (one with a count in it, or one the text itself puts in quotes) whose meaning the question
    asks, when the texts use it but never say what it is (no 「即」「是指」「包括」「：」 right after it)."""
    term = asked_term(question)
    if not term:
        return None
    text = "\n".join(texts)
    if term not in text or not (NUMERAL.search(term) or re.search(f"[{OPEN}]{re.escape(term)}[{CLOSE}]", text)):
        return None
    return None if defines(term, text) else term


# "Does the report mention X?" — X in quotes found verbatim, the answer is yes; found nowhere, it is no. X without
# quotes is the words after the verb (「这篇报道讲到光伏扶贫了吗」 → 光伏扶贫): a word of it the report never uses
# means the report does not speak of it (a paraphrase 「有没有讲到修路」 of 农村公路 is the judge's to weigh).
ASKS_MENTION = re.compile(r"(有没有|是否|有无|可曾|是不是)(提到|提及|说到|讲到|谈到|写到|涉及|出现)|(提到|提及|说到|讲到|涉及|出现)(了|过)?"
                          r".{0,16}(吗|没有|没)[？?。\s]*$|\b(mention|say anything about)", re.I)
QUOTED_TERM = re.compile(f"[{OPEN}]([^{CLOSE}]{{2,16}})[{CLOSE}]")
VERBS = r"提到|提及|说到|讲到|谈到|写到|写明|涉及到?|出现过?|点到|点名"
STOP = r"[^，,。？?！!；;：:]"  # X ends where the clause does
MENTION_OF = (re.compile(r"(?:有没有|是否|有无|可曾|是不是)(?:专门|具体|明确|直接|也)?(?:" + VERBS + r"|讲|说(?!明)|提)(?:了|过)?(?P<x>"
                         + STOP + r"{2,24})"),
              re.compile(r"(?:提没提|讲没讲|说没说|谈没谈|写没写|涉没涉)(?:到|及)?(?P<x>" + STOP + r"{2,24})"),
              re.compile(f"(?:{VERBS})" r"(?:了|过)?(?P<x>" + STOP + r"{2,24}?)(?:了|过)?(?:吗|没有|没|么)[？?。\s]*$"))
MENTION_TAIL = re.compile(r"(?:了|过)?(?:吗|没有|没|么|呢)?[？?。\s]*$")
DEIXIS = re.compile(r"[这那我你他她咱俺]")
FRAMED_AS = re.compile(r"(?:的|方面的|这方面的|相关的)?(?:问题|情况|内容|事情|事|这茬|这个说法|说法|这件事|这一点|方面)$")


def mentioned_term(question: str) -> str | None:
    """The quoted X of a "does the report mention X?" question, or of any yes/no question: 「是不是批评了有的地方搞
    “高考移民”？」 is not so when the report never says “高考移民”."""
    if not (ASKS_MENTION.search(question) or YES_NO.search(question)):
        return None
    m = QUOTED_TERM.search(question)
    return m.group(1) if m else None


def mentioned_words(question: str) -> str | None:
    """The X of a "does the report mention X?" question written without quotes (「文中提没提到扶贫车间？」 → 扶贫车间),
    or None. What frames it (「…的问题」「这个说法」) is not part of it; an X that points (这种, 我们) is no term."""
    if QUOTED_TERM.search(question):
        return None  # mentioned_term's: the quotes mark where it starts and ends
    for pattern in MENTION_OF:
        m = pattern.search(question)
        if m:
            x = FRAMED_AS.sub("", MENTION_TAIL.sub("", m.group("x"))).strip()
            # 「这种一味图快的情况」「对我们这类地区照顾不够」 describe a situation in the asker's words, not a term
            return x if re.search(r"[\u4e00-\u9fff]{2}", x) and not DEIXIS.search(x) else None
    return None


# Where a question asks (是谁, 是什么, 多少, 哪个城市): the word just before it names what is asked of its subject
# (「巡视组组长是谁」 → 组长, 「论坛的主题是什么」 → 主题, 「季军是哪支球队」 → 季军).
ASKED_AT = re.compile(r"是什么|叫什么|是啥|是谁|谁|是哪|哪[个些位里儿支家种类年天所只名座]|多少|几|多[长大高重远久深宽]|何时|"
                      r"什么时候|什么")
NEXT_TO = 3  # characters (的, 是, 为, 有, 共) allowed between that word and where the question asks


def asked_attribute(question: str, terms: dict[str, float]) -> str | None:
    """The question's word right before where it asks (asked of its subject), or None."""
    m = ASKED_AT.search(question)
    if not m:
        return None
    before = [(m.start() - (question.rfind(t, 0, m.start()) + len(t)), t) for t in terms
              if len(t) >= 2 and not DIGITS.search(t) and t in question[:m.start()]]
    before = [(gap, t) for gap, t in before if gap <= NEXT_TO]
    return min(before, key=lambda g: (g[0], -len(g[1])))[1] if before else None
