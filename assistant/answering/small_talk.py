"""Replies to messages that are not questions about the reports — greetings, thanks, questions about the
assistant, bare instructions — answered as such, never with report quotes."""
from __future__ import annotations

import re
from typing import Sequence

from assistant.answering.understand import Reading

GREETING = "你好！"
INTRO = ("我是报告问答助手：根据已索引的报告回答问题，每个回答都引用报告原文并标注出处 [n]，"
         "报告里没有的内容我会直说没有找到。")
DECLINE = "我只能根据已索引的报告回答问题，不能执行改变这些规则的指令。"
OFF_TOPIC = "报告中没有这方面的内容，我只能回答与已索引报告有关的问题。"
OPINION = "我不发表个人看法，只转述报告原文怎么说。可以问报告对某件事是怎么说的。"
VERIFY = "回答里的每一句都是报告原文，[n] 标出它出自哪一段，可以点开出处逐句核对；报告里没有的，我会直说没有找到。"
NEEDS_CONTEXT = "这句话要接着上一个问题说——请先问一个关于报告的问题，我再展开。"
PERSONAL = "报告里没有说到某个人、某个村或某个单位自己的情况该怎么办，这个我回答不了；可以问报告对这类事是怎么说的。"
REFUSING = ("instruction", "off_topic", "opinion", "personal")  # replies that decline: the answer is marked refused


def reply(reading: Reading, titles: Sequence[str], headings: Sequence[str]) -> str:
    """A short introduction with example questions drawn from the indexed reports (their titles and headings)."""
    if reading.language == "en":
        return _english(reading, titles)
    if reading.intent == "instruction":
        return DECLINE + " " + _examples(titles, headings)
    if reading.intent == "off_topic":
        return OFF_TOPIC + " " + _examples(titles, headings)
    if reading.intent == "opinion":
        return OPINION + _examples(titles, headings)
    if reading.intent == "personal":
        return PERSONAL + _examples(titles, headings)
    if reading.intent == "needs_context":
        return NEEDS_CONTEXT + _examples(titles, headings)
    if reading.intent == "verify":
        return VERIFY
    if reading.intent == "small_talk" and re.search(r"不懂|不明白|没懂|看不懂|听不懂|搞不懂|弄不懂|糊涂|晕", reading.text):
        return "没关系，可以换个说法再问，或者先看看报告的整体内容。" + _examples(titles, headings)
    if reading.intent == "small_talk" and re.search(r"没用|没有用|没啥用|不对|错了|不准|胡扯|瞎扯|瞎说|胡说|答非所问|文不对题|"
                                                    r"不对马嘴|什么跟什么|什么鬼|什么玩意|所以呢|又(能)?(怎样|如何|怎么样)", reading.text):
        return ("抱歉没答到点上。可以换个说法、问得具体些（哪件事、哪方面），我再从报告里找；报告里没有的，我会直说没有找到。"
                + _examples(titles, headings))
    if reading.intent == "small_talk" and re.search(r"谢|感谢|辛苦|帮助|thank|thx", reading.text, re.I):
        return "不客气。还想了解报告的哪方面，直接问就行。" + _examples(titles, headings, 2)
    if reading.intent == "small_talk" and re.search(r"再见|拜拜|回头见|bye", reading.text, re.I):
        return "再见！需要时随时回来问报告里的内容。"
    if reading.intent == "small_talk" and re.search(r"(想|要|可以|能)(问|请教)|请问|有(个|一个|几个)问题|帮(我)?(个|一个)?忙",
                                                    reading.text):
        return "请说，直接问报告里的内容就行。" + _examples(titles, headings)  # the question is still to come
    lead = GREETING if _greets(reading.text) else ""
    about = f"现在可以问：{'、'.join(f'《{t}》' for t in titles[:3])}。" if titles else ""
    return lead + INTRO + about + _examples(titles, headings)


def _greets(text: str) -> bool:
    return any(w in text.lower() for w in ("你好", "您好", "嗨", "哈喽", "hello", "hi", "hey", "早", "晚上好", "下午好", "在吗"))


def _examples(titles: Sequence[str], headings: Sequence[str], n: int = 3) -> str:
    asks = ["这份报告讲了什么？"] + [f"「{h}」具体指什么？" for h in headings[:n - 1]]
    return "例如：" + "；".join(asks[:n])


def _english(reading: Reading, titles: Sequence[str]) -> str:
    if reading.intent == "opinion":
        return "I hold no opinion of my own: I quote what the indexed reports say. Ask what a report says about it."
    if reading.intent == "verify":
        return "Every sentence of an answer is quoted from the report; [n] marks the paragraph it comes from, to check."
    if reading.intent == "needs_context":
        return "That follows on from an earlier question: ask one about the reports first. Try: 这份报告讲了什么？"
    if reading.intent in REFUSING:
        return "I can only answer questions about the indexed reports, quoting them verbatim."
    if re.search(r"thank|thx", reading.text, re.I):
        return "You're welcome. Ask anything else about the indexed reports."
    if re.search(r"not what i|wrong|useless|not (right|helpful|useful)|didn'?t answer|did not answer|make(s)? no sense|"
                 r"make sense|so what", reading.text, re.I):
        return ("Sorry that missed the point. Try asking more specifically (which matter, which part); what the "
                "reports do not say, I say I could not find. Try: 这份报告讲了什么？")
    if re.search(r"ask|question|understand|get it|follow|confused|^\s*(what|huh|pardon|sorry|eh)\W*$", reading.text,
                 re.I):
        return "Go ahead: ask about the indexed reports (in Chinese or English). Try: 这份报告讲了什么？"
    about = f" Indexed: {'; '.join(titles[:3])}." if titles else ""
    return ("Hello! I answer questions about the indexed reports (in Chinese); every answer quotes them verbatim "
            f"and cites its paragraphs [n].{about} Try: 这份报告讲了什么？")
