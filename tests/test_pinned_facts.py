"""A fact question pins down a date, a venue or a rate: it is answered by a sentence that gives it, and refused
when the passages on its topic never do (another edition, a preview). A sentence that only repeats a question
(scraped titles, "people also ask") is never quoted as the answer."""
from __future__ import annotations

import pytest

EXPO = ("第五届中国国际进口博览会将于11月5日至10日在上海国家会展中心举行。本届博览会共有145个国家和地区参展，"
        "参展企业超过2800家。")
PREVIEW = ("网友提问：进口博览会的主办单位是谁？第四届进口博览会吸引了众多企业参展，展会规模再创新高，主办方表示展会取得圆满成功。\n\n"
           "问进口博览会什么时候举行\n\n业内人士认为，进口博览会为各国企业提供了展示产品的机会。")

FILM = "电影《海边》由王小明、李小红主演，讲述了一个渔村家庭的故事，影片将于12月16日在全国上映。"
TRAILER = "电影《海边》的预告片发布后，网友纷纷表示期待，影片讲述了一个渔村家庭的温暖故事。"


def assistant_over(base, embedder, texts: dict[str, str]):
    """An Assistant over TEXTS (file name -> text) in BASE, its own index built."""
    from assistant.answering.assistant import Assistant
    from assistant.config import load_config

    data = base / "data"
    data.mkdir()
    for name, text in texts.items():
        (data / name).write_text(text, encoding="utf-8")
    return Assistant.from_config(load_config(overrides={"data_dir": str(data), "index_dir": str(base / "index")}),
                                 notify=lambda m: None, embedder=embedder)


@pytest.fixture(scope="module")
def news(tmp_path_factory, embedder):
    return assistant_over(tmp_path_factory.mktemp("pinned"), embedder,
                          {"expo.txt": EXPO, "preview.txt": PREVIEW, "film.txt": FILM, "trailer.txt": TRAILER})


@pytest.mark.parametrize("question, source, said", [
    ("进口博览会在哪里举行？", "expo.txt", "上海"), ("进口博览会什么时候举行？", "expo.txt", "11月5日"),
    ("进口博览会的开幕时间", "expo.txt", "11月5日"), ("《海边》的主演是谁？", "film.txt", "王小明"),
    ("《海边》上映时间？", "film.txt", "12月16日")])
def test_the_sentence_giving_the_pinned_fact_answers(news, question, source, said):
    answer = news.ask(question, sources=[source])
    assert not answer.refused and said in answer.answer, answer.answer


@pytest.mark.parametrize("question, source", [
    ("进口博览会在哪里举行？", "preview.txt"), ("进口博览会什么时候举行？", "preview.txt"),
    ("进口博览会的开幕时间", "preview.txt"), ("参展企业的比例是多少？", "preview.txt"),
    ("《海边》的主演是谁？", "trailer.txt"), ("《海边》上映时间？", "trailer.txt")])
def test_passages_on_the_topic_that_never_give_it_are_refused(news, question, source):
    answer = news.ask(question, sources=[source])
    assert answer.refused and not answer.citations, answer.answer


def test_a_rate_is_not_answered_by_a_count(news):
    answer = news.ask("参展国家的比例是多少？", sources=["expo.txt"])
    assert answer.refused, answer.answer


def test_a_sentence_that_asks_is_never_the_answer(news):
    for question in ("进口博览会的主办单位是谁？", "进口博览会什么时候举行？", "问进口博览会什么时候举行"):
        answer = news.ask(question)
        assert not any("是谁" in c.quote or "问进口" in c.quote for c in answer.citations), answer.answer


def test_the_refusal_says_what_is_missing_and_names_the_files_it_looked_at(news):
    answer = news.ask("进口博览会在哪里举行？", sources=["preview.txt"])
    assert "地点" in answer.answer, answer.answer
    both = news.ask("进口博览会的参展费用是多少钱？")
    assert both.refused and "preview.txt" in both.answer and "expo.txt" in both.answer, both.answer


# Another edition of the same event, and a date that dates something else (invented text).
LAST_YEAR = ("2019年第七届山城读书节于5月8日在江北图书馆开幕，共吸引读者三万人次。"
             "山城读书节每年举办一次，由文化局主办，是全城规模最大的全民阅读活动。2020年第八届山城读书节的筹备工作已经启动。")
STOCKS = "截至11月3日收盘，出品方星河影业股价上涨4.2%。电影《远山》由赵一鸣执导，讲述了三代护林员的故事。"
FUNERAL = "据报道，老馆长的追悼会将于9月3日举行，家属婉拒了各界送来的花圈。"


@pytest.fixture(scope="module")
def other(tmp_path_factory, embedder):
    return assistant_over(tmp_path_factory.mktemp("other"), embedder,
                          {"festival.txt": LAST_YEAR, "stocks.txt": STOCKS, "funeral.txt": FUNERAL})


@pytest.mark.parametrize("question", ["2020年山城读书节在哪里举行？", "第八届山城读书节的开幕时间"])
def test_a_sentence_about_another_year_or_edition_does_not_answer(other, question):
    answer = other.ask(question, sources=["festival.txt"])
    assert answer.refused, answer.answer


@pytest.mark.parametrize("question, said", [("2019年山城读书节在哪里举行？", "江北图书馆"),
                                            ("第七届山城读书节的开幕时间", "5月8日")])
def test_the_edition_asked_is_answered(other, question, said):
    answer = other.ask(question, sources=["festival.txt"])
    assert not answer.refused and said in answer.answer, answer.answer


def test_a_date_of_something_else_does_not_date_the_event_asked(other):
    assert other.ask("《远山》的上映日期", sources=["stocks.txt"]).refused


def test_a_date_is_not_a_venue(other):
    answer = other.ask("老馆长的追悼会在哪里举行？", sources=["funeral.txt"])
    assert answer.refused and "地点" in answer.answer, answer.answer


def test_editions_and_the_event_a_question_dates():
    from assistant.answering.pinned import editions, other_edition, when_event

    assert editions("2019年第七届读书节（首届是2013年），天宫十二号") == {("年", 2019), ("届", 7), ("天宫号", 12)}
    # a numbered name is one of a series: a sentence on the next one only is not about the one asked, one that
    # names the one before beside it still is
    assert other_edition("天宫十二号发射时间？", "预计今年10月发射的天宫十三号，其乘组已经选定")
    assert not other_edition("天宫十二号发射时间？", "天宫十二号乘组与天宫十一号乘组完成轮换")
    assert not other_edition("天宫12号发射时间？", "天宫十二号于5月30日发射")
    assert other_edition("2020年读书节在哪举行", "2019年读书节在江北举行")
    assert not other_edition("2020年读书节在哪举行", "读书节在江北举行，规模比2019年更大")
    assert not other_edition("2020年读书节在哪举行", "与2019年相比，今年读书节在江北举行")
    assert not other_edition("2020年读书节的冠军是谁", "最终李一夺冠（上一位连冠的是2017年的王二）")
    assert when_event("老馆长去世时间") == "去世" and when_event("条例何时开始施行？") == "施行"
    assert when_event("读书节什么时间举行") is None


def test_the_best_sentence_giving_the_fact_asked_answers_it():
    from assistant.answering.pinned import gives_pinned, pinned_gap

    assert gives_pinned("《远山》上映时间？", "电影《远山》将于12月16日在全国上映。")
    assert not gives_pinned("《远山》上映时间？", "截至11月3日收盘，出品方股价上涨4.2%。")  # a date of something else
    assert not gives_pinned("《远山》讲了什么故事？", "电影《远山》将于12月16日在全国上映。")  # nothing pinned
    assert pinned_gap("2021年全省茶叶产量增长率", ["全省茶叶总产量18.6万吨。"]) == "比率"
    assert pinned_gap("全省茶叶在全国产量里占多大比例？", ["全省茶叶总产量18.6万吨。"]) is None  # counts make a share


def test_the_cast_and_a_duration_must_be_named():
    from assistant.answering.pinned import pinned_gap

    assert pinned_gap("《远山》的主演", ["《远山》的演员阵容也很强大。"]) == "演员"  # a cast is named, not praised
    assert pinned_gap("《远山》的主演", ["《远山》由李一、王二主演。"]) is None
    assert pinned_gap("老馆长当了多久馆长？", ["老馆长于9月3日卸任，家属表示感谢。"]) == "时长"
    assert pinned_gap("老馆长当了多久馆长？", ["老馆长在任十二年，于9月3日卸任。"]) is None


def test_a_count_led_with_is_never_a_lists_numbering_nor_part_of_a_name():
    from assistant.answering.compose import _mention

    assert _mention("查询入口：1、官网查询配置结果", "2023年北京新能源小客车指标有多少个？", False) is None
    assert _mention("Q4游戏业务的营收增速有所下降", "网易2022年全年营收多少？", False) is None
    assert _mention("全年营收965亿元，同比增长10%", "网易2022年全年营收多少？", False) == "965亿"


def test_money_is_asked_in_a_currency_and_a_bare_measure_asks_a_number():
    from assistant.answering.gaps import _unit_gap
    from assistant.answering.understand import QUANTITY

    assert _unit_gap("波兰要求德国赔偿多少钱", ["约600万波兰人在二战期间被杀"]) == 1.0
    assert _unit_gap("波兰要求德国赔偿多少钱", ["赔偿金额为1.32万亿欧元"]) == 0.0
    # money named by what it is paid as: 补贴, 工资, 罚款 … asks an amount, not a count of anything
    assert _unit_gap("驻村干部每个月能拿多少驻村补贴？", ["15个巡视组在26个地方工作了1个月左右"]) == 1.0
    assert _unit_gap("驻村补贴每月有多少？", ["驻村干部每月补贴800元"]) == 0.0
    assert _unit_gap("那家企业被罚款多少？", ["被罚款5万元"]) == 0.0
    assert QUANTITY.search("2023春运首日旅客发送量") and QUANTITY.search("2022年8月我国汽车出口量")
    assert not QUANTITY.search("这批产品的质量") and not QUANTITY.search("基层的力量")


def test_a_when_answer_leads_with_the_date_of_the_event_asked(tmp_path, embedder):
    a = assistant_over(tmp_path, embedder, {"coronation.txt": (
        "查尔斯和卡米拉的婚礼时间是2005年4月9日，摄影师为查尔斯拍下了那天。"
        "新国王的加冕礼于2023年5月6日在威斯敏斯特教堂举行。")})
    ans = a.ask("查尔斯加冕时间是哪天？")
    assert not ans.refused and ans.answer.startswith("2023年5月6日"), ans.answer


def test_a_sentence_another_quote_holds_whole_is_quoted_once(tmp_path, embedder):
    """Two pages carry the same sentence, one with a clause more, a third with other punctuation: the answer
    quotes the fuller one once, not the same words two or three times."""
    a = assistant_over(tmp_path, embedder, {
        "a.txt": "温州龙舟公开赛共有32支队伍参赛。", "b.txt": "温州龙舟公开赛共有32支队伍参赛，比赛分为4个组别。",
        "c.txt": "温州龙舟公开赛 共有32支队伍参赛！", "d.txt": "温州今年夏天雨水偏多，气温较往年偏高。"})
    answer = a.ask("温州龙舟公开赛有多少支队伍参赛？")
    assert not answer.refused and len(answer.citations) == 1, answer.answer
    assert answer.citations[0].source == "b.txt" and answer.answer.count("32支队伍参赛") == 1, answer.answer


def test_a_span_the_asker_lived_through_asks_no_duration():
    from assistant.answering.pinned import pinned_gap

    q = "这几年村里一会儿一个规划，巡视组对规划的事怎么说？"
    assert pinned_gap(q, ["有的地方被指出脱贫攻坚规划频繁调整。"]) is None
    assert pinned_gap("巡视组在那边待了几个月？", ["有的地方被指出脱贫攻坚规划频繁调整。"]) == "时长"


def test_a_when_question_in_words_the_text_never_uses_is_dated_by_any_dated_sentence():
    from assistant.answering.pinned import pinned_gap

    q, dated = "馆里的新展啥时候开始弄的？", ["新展于3月5日开幕。"]
    assert pinned_gap(q, dated, known=lambda w: w != "弄的") is None  # 弄的: the asker's word, the text never says it
    assert pinned_gap("新展啥时候闭馆？", dated, known=lambda w: True) == "时间"  # 闭馆 is the text's word: named, or not dated


PROFILE = ("年龄：32；世界排名：71 因打假球被处以终身禁赛并支付4.3万英镑。他被裁定在五场比赛中打假球，并参与赌球。"
           "年龄：29；世界排名：65；曾两次进入排名赛半决赛，因参与赌球被判禁赛8年。")


def test_a_list_skips_profile_fields_the_question_does_not_ask_about(tmp_path, embedder):
    a = assistant_over(tmp_path, embedder, {"profile.txt": PROFILE})
    answer = a.ask("哪些球员被禁赛？都有谁")
    assert not answer.refused and "禁赛" in answer.answer, answer.answer
    quoted = [c.quote for c in answer.citations]
    assert not any(q.startswith("年龄") for q in quoted), quoted  # a field labelled 年龄 answers no question on bans
    assert a.ask("他们的世界排名是多少？").citations  # a field is still quoted when it is what is asked


def test_an_amount_is_not_answered_by_a_percentage_and_a_rate_is_led_by_one():
    from assistant.answering.compose import _mention
    from assistant.answering.gaps import _states_a_number

    growth = "前三季在营收仅增长2.18%的情况下，销售费用增长了27%"
    assert not _states_a_number([growth], "营收", "汤臣倍健2022年上半年的营收为多少？")
    assert _states_a_number(["上半年实现营收42.21亿元，同比增长2.18%"], "营收", "汤臣倍健2022年上半年的营收为多少？")
    # a share or a change asked is told in percent
    assert _states_a_number(["12月CPI同比上涨6.5%"], "CPI", "2022年12月美国CPI上涨了多少？")
    assert _mention("实现销售8.5万辆，市场份额达25.6%，较上年提升1.7个百分点", "一汽解放上半年中重卡市场份额是多少？",
                    False) == "25.6%"
    assert _mention("全年地区生产总值29129.03亿元，比上年增长2.6%", "2022年重庆的GDP增长率", False) == "2.6%"
    assert _mention("上半年汽车出口同比增长45.4%，出口新能源车20万辆", "上半年汽车出口量", False) != "45.4%"


def test_a_trial_a_phase_a_quarter_or_a_model_number_is_one_of_a_series():
    from assistant.answering.pinned import editions, other_edition

    assert editions("二审判决，一季度营收，上半年，U14组，小米MIX4") == {
        ("审", 2), ("季", 1), ("半年", 1), ("u", 14), ("mix", 4)}
    assert editions("第一季度") == editions("一季度")
    assert editions("在这一期间统一审批") == set()  # 这一期间 and 统一审批 count nothing
    assert other_edition("老王案二审判决结果", "一审判决认定老王犯盗窃罪")
    assert other_edition("青少年巡回赛U14组男单冠军是谁", "在U10组男单较量中，陈一夺得冠军")
    assert not other_edition("地铁一期有多少个车站", "一期工程共设10座车站，二期正在规划")


def test_a_snippet_cut_where_its_answer_would_begin_is_never_quoted():
    from assistant.answering.judge import _sentences
    from assistant.answering.retrieve import Hit
    from assistant.ingest.document import Paragraph

    text = "新款手机基本敲定，竟然长这样！可惜处理器是"
    hit = Hit(Paragraph("p1", "phone.txt", 1, None, text, 0, len(text)), 1.0)
    assert [text[s:e] for s, e in _sentences(hit)] == ["新款手机基本敲定，竟然长这样！"]


def test_a_figure_for_a_quarter_a_half_or_a_month_needs_that_part_of_the_year_named():
    from assistant.answering.pinned import periods, unmentioned_periods

    assert periods("2023一季度GDP，第三季度，Q2，1-3月份，上半年，前六个月，2022年8月份，今年八月") == {
        ("季", 1), ("季", 3), ("季", 2), ("半年", 1), ("月", 8)}
    assert periods("8月30日发布，1-8月累计，12月下旬，一个月，统一季度") == set()  # days, running totals, spans
    # the whole year's figure, or a running total, is not the quarter's or the month's
    assert unmentioned_periods("2022年一季度全省经济增长率是多少", ["2022年全省经济预期增长5.5%左右"]) == ["一季度"]
    assert unmentioned_periods("2022年8月汽车出口量", ["1-8月累计出口181.7万辆"]) == ["8月"]
    assert unmentioned_periods("2022年一季度全省经济增长率是多少", ["第一季度全省生产总值同比增长4.8%"]) == []
    assert unmentioned_periods("上半年营收多少", ["公司1-6月实现营收42.2亿元"]) == []


def test_a_quarters_figure_is_not_answered_by_the_years_and_a_yes_no_about_a_month_is_answered(tmp_path, embedder):
    a = assistant_over(tmp_path, embedder, {"gdp.txt": "2022年山城经济预期增长5.5%左右，全年工作目标已经确定。",
                                            "visit.txt": "巡查组于2018年10月17日进驻，工作了一个月左右。"})
    answer = a.ask("2022年一季度山城经济增长了多少？", sources=["gdp.txt"])
    assert answer.refused and "一季度" in answer.answer, answer.answer
    answer = a.ask("巡查组是9月进驻的吗？", sources=["visit.txt"])  # the report's own month answers it
    assert not answer.refused and "10月17日" in answer.answer, answer.answer


def test_a_relay_leg_an_episode_or_a_match_is_one_of_a_series_and_a_role_is_asked_of_the_cast():
    from assistant.answering.pinned import other_edition, pinned, pinned_gap

    assert other_edition("谁是第一棒火炬手", "第二棒火炬手是世界冠军郭丹丹")
    assert not other_edition("谁是第一棒火炬手", "第一棒火炬手罗致焕从第二棒手中……")
    assert pinned_gap("梁冠华在《相逢时节》中演的谁", ["6位老戏骨都在《相逢时节》中起到极好的衬托作用"]) == "演员"
    assert pinned_gap("梁冠华在《相逢时节》中演的谁", ["梁冠华饰张立新，戏份不多却很出彩"]) is None
    assert [w for _, w in pinned("《远山》的导演是谁")] == ["导演"]  # a director, not the cast
    assert not pinned("基层党组织扮演什么角色？")


def test_a_group_is_named_by_its_letter():
    from assistant.answering.pinned import pinned, pinned_gap

    assert pinned_gap("世界杯德国队在哪个组", ["11月23日，德国队在揭幕战前合影"]) == "分组"
    assert pinned_gap("世界杯德国队在哪个组", ["德国队与西班牙、日本同在E组"]) is None
    assert not pinned("是哪个组织负责的") and not pinned("由哪个巡视组负责")


def test_a_download_link_and_a_bare_magnitude_are_never_the_answer():
    from assistant.answering.compose import _mention
    from assistant.answering.judge import _sentences
    from assistant.answering.retrieve import Hit
    from assistant.ingest.document import Paragraph

    text = "《超越》讲述短道速滑运动员的故事。《超越》百度网盘高清免费资源在线观看： 链接：https://pan.example.com/s/1vX30"
    hit = Hit(Paragraph("p1", "film.txt", 1, None, text, 0, len(text)), 1.0)
    assert [text[s:e] for s, e in _sentences(hit)] == ["《超越》讲述短道速滑运动员的故事。"]
    assert _mention("资产总计28.8万亿元，工业增加值增长9.6%", "工业增加值增长了多少？", False) == "9.6%"
    assert _mention("2020年的出生率为4.84‰，首次低于5‰", "2021年人口出生率", False) == "4.84‰"


def test_a_director_is_named_beside_the_word_for_it():
    from assistant.answering.pinned import pinned, pinned_gap

    assert pinned_gap("《远山》的导演是谁", ["2023年，又有了中国版《远山》，豆瓣评分8.0"]) == "导演"
    assert pinned_gap("《远山》的导演是谁", ["《远山》是一部由李一执导的电影"]) is None
    assert not pinned("巡视组组长是谁") and not pinned("这次是谁带队的")  # someone asked, not a director


def test_the_sentence_that_names_the_director_is_the_answer(tmp_path, embedder):
    a = assistant_over(tmp_path, embedder, {"film.txt": (
        "2023年，又有了中国版《远山》。《远山》上映五天，豆瓣评分8.0，在国产片中已算是不错的分数。"
        "《远山》是一部由李一执导、王二监制的电影，翻拍自日本电影。")})
    answer = a.ask("《远山》中国版的导演是谁")
    assert not answer.refused and "李一" in answer.citations[0].quote, answer.answer
