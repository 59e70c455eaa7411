"""An amount question (「…的营收为多少」, 「…棉花产量」, 「造成多少人遇难」) names what it measures; a number answers it only
in a clause that names that too. Passages on the topic are full of other numbers — the sown area beside the
harvest, the rescuers beside the dead, a growth rate beside the revenue — and quoting one answers another
question."""
from __future__ import annotations

import re

from assistant.answering.gaps import NOT_A_COUNT, NUMBER
from assistant.answering.pinned import ASKS_RATE, ASKS_WHEN

# What is measured: a measure noun that ends the question (产量, 出口量, 票房收入, 总奖金), the word a 多少 counts
# (多少人遇难 → 遇难, 多少支球队 → 球队), or the word 多少 asks the size of (营收为多少 → 营收, 投资多少 → 投资).
MEASURE_END = re.compile(r"([\u4e00-\u9fff]{0,2}?(?:量|额|人数|总数|数目|收入|营收|票房|奖金|产值|价格|规模))[？?。\s]*$")
AFTER_COUNT = re.compile(r"多少\s*[个個家名位项次条批轮份户所件省支辆人座架艘台只种]\s*(?:的)?([\u4e00-\u9fff]{2})")
BEFORE = re.compile(r"(?:了|为|是|有|达到|达|约|共|一共|总共|大概|大约|将|会|能|要)+$")
FILLER = {"一共", "总共", "大概", "大约", "一年", "每年", "目前", "现在", "最终", "需要", "可以", "造成", "导致", "这次", "共有", "分别", "各自", "平均"}
# Not amounts in this sense: a date, a duration, a comparison, a rate (pinned.RATE checks those), or a yes/no.
NOT_AMOUNT = re.compile(r"多久|多长|几[年月天周]|多少(年|个月|天|周|小时|时间)|比.{1,12}[多少]了?|相比|是不是|是否|吗")
CLAUSE = re.compile(r"[，,；;。！!？?：:]|——")
# a clause that goes on to give the amount of the one before (「…提出赔偿要求，金额为6.2万亿兹罗提」)
CONTINUES = re.compile(r"\s*(金额|总额|数额|总计|合计|共计|总共|约|达到|高达|达|为|计)")
# a change (上涨了多少, 增长多少) is often given as a percentage; an amount (营收, 产量) is not
CHANGE = re.compile(r"[涨增降跌升减]|提高|降低")
PERCENT = re.compile(r"\d+(?:\.\d+)?\s*[%％‰]|百分之[零一二两三四五六七八九十百点]+|\d+(?:\.\d+)?\s*个百分点")
# Numbers that are no amount: a span of time (4年间, 两个月), a list's numbering (「2、」), a name with digits (Q4, 5G),
# a telephone number.
NOT_AMOUNT_NUMBER = re.compile(r"(?:\d+(?:\.\d+)?|[一二两三四五六七八九十百]+)\s*个?(?:年|月|天|周|小时|分钟)(?:间|来|内|多|以来|左右|后)"
                               r"|(?:\d+(?:\.\d+)?|[一二两三四五六七八九十]+)\s*个(?:月|星期|小时)|(?<![\d.])\d{1,2}\s*[、．]"
                               r"|[A-Za-z]+\d+[A-Za-z\d]*|\d+[A-Za-z]+|(?:电话|热线|拨打)\s*\d+")


def measured(question: str) -> str | None:
    """What an amount question measures (「2022年全国棉花产量」 → 产量), or None when it asks no amount."""
    if NOT_AMOUNT.search(question) or ASKS_WHEN.search(question) or ASKS_RATE.search(question) \
            or not re.search(r"[\u4e00-\u9fff]", question):
        return None
    m = AFTER_COUNT.search(question)
    if m:
        return m.group(1) if m.group(1) not in FILLER else None
    if "多少" in question:
        before = BEFORE.sub("", question[:question.index("多少")])[-2:]
        return before if re.fullmatch(r"[\u4e00-\u9fff]{2}", before) and before not in FILLER else None
    m = MEASURE_END.search(question)
    return m.group(1) if m else None


def _names(word: str, clause: str) -> bool:
    """CLAUSE names WORD, or the first or last two characters of a longer one (出口量 → 出口, 票房收入 → 收入)."""
    return word in clause or (len(word) > 2 and (word[:2] in clause or word[-2:] in clause))


def amount_gap(question: str, sentences: list[str]) -> str | None:
    """「数量」 when QUESTION asks an amount and no clause of SENTENCES gives a number beside what it measures (years,
    dates, percentages and the question's own numbers are not the amount); None otherwise."""
    word = measured(question)
    if word is None:
        return None
    named = re.findall(r"\d+(?:\.\d+)?|[零一二两三四五六七八九十百千万亿]{2,}", question)
    change = bool(CHANGE.search(word))

    def gives(clause: str) -> bool:
        rest = NOT_AMOUNT_NUMBER.sub(" ", NOT_A_COUNT.sub(" ", clause))
        rest = rest if change else PERCENT.sub(" ", rest)
        for n in sorted(named, key=len, reverse=True):
            rest = rest.replace(n, " ")
        return bool(NUMBER.search(rest))

    for s in sentences:
        clauses = CLAUSE.split(s)
        for i, clause in enumerate(clauses):
            if _names(word, clause) and (gives(clause) or i + 1 < len(clauses) and CONTINUES.match(clauses[i + 1])
                                         and gives(clauses[i + 1])):
                return None
    return "数量"
