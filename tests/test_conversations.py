"""Conversations kept in the browser (assistant/serving/conversations.py): saved, switched, renamed, deleted,
exported; a stored value this code did not write is ignored, never trusted."""
from assistant.serving import conversations as conv


def turn(q, a="答[1]。", sources="来源：\n[1] r.txt 第2段"):
    return {"question": q, "answer": a, "sources": sources}


def test_saving_creates_then_updates_the_current_conversation_newest_first():
    store = conv.save(conv.empty(), ["m1", "m2"], [turn("第一个问题")])
    first = store["current"]
    assert first and conv.title_of(store) == "第一个问题"
    store = conv.save(store, ["m1", "m2", "m3", "m4"], [turn("第一个问题"), turn("追问")])
    assert store["current"] == first and len(store["chats"]) == 1 and len(store["chats"][0]["turns"]) == 2
    store = conv.save(conv.start_new(store), ["x"], [turn("另一个话题" * 10)])
    assert store["current"] != first and [c["id"] for c in store["chats"]][1] == first
    assert conv.title_of(store).endswith("…") and len(conv.title_of(store)) == conv.TITLE + 1
    assert conv.save(conv.start_new(store), [], []) == conv.start_new(store)  # nothing asked: nothing saved


def test_switch_rename_delete():
    store = conv.save(conv.empty(), ["a"], [turn("甲")])
    a = store["current"]
    store = conv.save(conv.start_new(store), ["b"], [turn("乙")])
    store, messages, turns = conv.switch(store, a)
    assert store["current"] == a and messages == ["a"] and turns[0]["question"] == "甲"
    store = conv.rename(store, a, "  我的  对话 ")
    assert conv.title_of(store) == "我的 对话"
    store = conv.save(store, ["a", "a2"], [turn("甲"), turn("丙")])
    assert conv.title_of(store) == "我的 对话"  # a name given stays when the conversation goes on
    assert [label.split(" · ")[0] for label, _ in conv.choices(store)] == ["我的 对话", "乙"]
    store = conv.delete(store, a)
    assert store["current"] is None and [c["turns"][0]["question"] for c in store["chats"]] == ["乙"]
    assert conv.switch(store, "nope")[1:] == ([], [])


def test_caps_keep_storage_bounded():
    store = conv.empty()
    for i in range(conv.MAX_CHATS + 5):
        store = conv.save(conv.start_new(store), [f"m{i}"], [turn(f"问题{i}")])
    assert len(store["chats"]) == conv.MAX_CHATS and store["chats"][0]["turns"][0]["question"] == f"问题{conv.MAX_CHATS + 4}"
    many = [turn(f"q{i}") for i in range(conv.MAX_TURNS + 10)]
    store = conv.save(store, ["m"] * (2 * len(many)), many)
    assert len(store["chats"][0]["turns"]) == conv.MAX_TURNS and len(store["chats"][0]["messages"]) == 2 * conv.MAX_TURNS


def test_a_value_this_code_did_not_write_is_an_empty_store():
    for foreign in (None, "x", [1], {"chats": "x"}, {"chats": [{"id": 1}], "current": 1}):
        assert conv.current(foreign) == ([], []) and conv.choices(foreign) == []
    mixed = {"current": "gone", "chats": [{"id": "k", "messages": [], "turns": [turn("好")]}, {"bad": 1}]}
    assert conv.valid(mixed) == {"current": None, "chats": [mixed["chats"][0]]}


def test_markdown_export_has_each_question_answer_and_sources():
    store = conv.save(conv.empty(), [], [turn("巡视组从哪天开始进驻？", "2018年10月17日[1]。"),
                                         {"question": "坏问题", "answer": None, "error": "问题太长"}])
    text = conv.markdown(store)
    assert text.startswith("# 巡视组从哪天开始进驻？\n")
    assert "**问：** 巡视组从哪天开始进驻？" in text and "**答：** 2018年10月17日[1]。" in text
    assert "来源：\n[1] r.txt 第2段" in text and "**出错：** 问题太长" in text
    assert conv.markdown(conv.empty()) == ""
