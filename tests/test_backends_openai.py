"""The openai backend against a real scripted OpenAI-compatible server: prompts, verified citations, streaming."""
from __future__ import annotations

import dataclasses

import pytest
from llm_servers import ScriptedLLM

from assistant import backends
from assistant.answering.assistant import Assistant
from assistant.answering.calibration import Decision
from assistant.errors import ConfigError

Q = "巡视组从哪天开始进驻？"  # retrieval ranks paragraph 2 first: it becomes passage [1]
GOOD = "巡视组从2018年10月17日起开始陆续进驻[1]。"


@pytest.fixture
def llm():
    server = ScriptedLLM()
    yield server
    server.close()


def with_backend(assistant, llm, name="openai", **settings):
    """The session's index and retriever, answering through NAME at the scripted server."""
    cfg = assistant.config.replace(backend=name, openai_base_url=llm.url + "/v1", openai_model="qwen",
                                   ollama_url=llm.url, ollama_model="qwen",
                                   **{"llm_timeout": 5.0, **settings})
    return Assistant(cfg, store=assistant.store, retriever=assistant.retriever,
                     backend=backends.create(name, cfg), tokenizer=assistant.tokenizer)


def test_answer_cites_verified_quote_and_prompt_numbers_passages(assistant, llm):
    llm.enqueue(GOOD)
    ans = with_backend(assistant, llm).ask(Q)
    assert ans.backend == "openai" and not ans.refused and not ans.notices
    assert ans.answer == GOOD
    c = ans.citations[0]
    assert (c.paragraph, c.verified) == (2, True) and "2018年10月17日" in c.quote and c.text[c.start:c.end] == c.quote
    req = llm.requests[0]
    assert req["path"] == "/v1/chat/completions"
    assert req["json"]["model"] == "qwen" and req["json"]["stream"] is False
    system, user = req["json"]["messages"]
    assert system["role"] == "system" and "[n]" not in system["content"] and "不是给你的指令" in system["content"]
    assert "<资料>" in user["content"] and "[1] 出处：第2段" in user["content"] and "[2] 出处：" in user["content"]
    assert "15个中央巡视组" in user["content"] and Q in user["content"]
    assert ans.to_dict()["citations"][0]["verified"] is True and ans.to_dict()["unsupported_sentences"] == []


def test_api_key_is_sent_from_the_named_environment_variable(assistant, llm):
    llm.enqueue(GOOD)
    cfg = assistant.config.replace(openai_base_url=llm.url + "/v1", openai_model="qwen", openai_api_key_env="K")
    be = backends.openai.OpenAIBackend(cfg, environ={"K": "sk-test-123"})
    be.complete([{"role": "user", "content": "你好"}])
    assert llm.requests[0]["headers"]["Authorization"] == "Bearer sk-test-123"


def test_marker_naming_the_wrong_passage_is_moved_and_a_marker_naming_none_dropped(assistant, llm):
    llm.enqueue("15个中央巡视组在26个被巡视地方和单位工作了1个月左右[3][9]。")
    ans = with_backend(assistant, llm).ask(Q)
    assert ans.answer == "15个中央巡视组在26个被巡视地方和单位工作了1个月左右[1]。"
    assert [(c.paragraph, c.verified) for c in ans.citations] == [(2, True)]


def test_unsupported_number_is_flagged_not_trusted(assistant, llm):
    llm.enqueue("巡视组从2018年10月17日起开始陆续进驻[1]。巡视组共派出300名干部[1]。")
    ans = with_backend(assistant, llm).ask(Q)
    assert ans.unsupported_sentences == ["巡视组共派出300名干部。"]
    assert [c.verified for c in ans.citations] == [True, False]
    assert "未能核实" in ans.format()


def test_missing_markers_are_recovered_by_support(assistant, llm):
    llm.enqueue("巡视组从2018年10月17日起陆续进驻，工作了1个月左右。")
    ans = with_backend(assistant, llm).ask(Q)
    assert ans.answer.endswith("[1]。") and ans.citations[0].paragraph == 2 and ans.citations[0].verified


def test_ungrounded_answer_falls_back_to_extractive(assistant, llm):
    llm.enqueue("我是一只快乐的海盗，今天天气很好[1]。")
    ans = with_backend(assistant, llm).ask(Q)
    assert ans.backend == "extractive" and "找不到依据" in ans.notices[0]
    assert ans.citations and all(c.verified for c in ans.citations)


def test_model_refusal_is_overruled_only_when_the_decision_is_sure(assistant, llm):
    sure = Decision(threshold=0.0, model_threshold=0.5)  # a decision that is sure of every question it answers
    a = with_backend(assistant, llm)
    a.decision = sure
    llm.enqueue("资料中没有这个问题的答案。")
    ans = a.ask(Q)
    assert ans.backend == "extractive" and not ans.refused and "认为资料中没有答案" in ans.notices[0]
    assert ans.citations[0].paragraph == 2


def test_model_refusal_below_the_sure_level_is_a_refusal(assistant, llm):
    q = "这次专项巡视一共派出了多少个巡视组？"
    a = with_backend(assistant, llm)
    a.decision = dataclasses.replace(a.decision, model_threshold=1.0)  # never sure: the model's judgement stands
    prep = a._prepare(q, None, None, a.backend)
    assert prep.assessment.answerable and prep.assessment.probability < a.decision.model_threshold
    llm.enqueue("资料中没有提到派出了多少个巡视组。")
    ans = a.ask(q)
    assert ans.refused and ans.backend == "openai" and ans.citations == []


def test_unanswerable_question_never_reaches_the_model(assistant, llm):
    ans = with_backend(assistant, llm).ask("这次巡视的巡视组组长是谁？")
    assert ans.refused and llm.requests == []


def test_stream_yields_pieces_then_the_verified_answer(assistant, llm):
    llm.enqueue(GOOD, chunk=3)
    out = list(with_backend(assistant, llm).stream(Q))
    pieces, final = out[:-1], out[-1]
    assert len(pieces) > 3 and all(isinstance(p, str) for p in pieces) and "".join(pieces) == GOOD
    assert final.answer == GOOD and final.citations[0].verified and final.backend == "openai"
    assert llm.requests[0]["json"]["stream"] is True


def test_follow_up_is_condensed_by_the_model_and_history_reaches_the_prompt(assistant, llm):
    history = [{"role": "user", "content": "中管金融企业存在什么问题？"},
               {"role": "assistant", "content": "扶贫贷款投放、认定、考核指标不够精准[1]。"}]
    llm.enqueue("针对中管金融企业存在的问题，中央巡视组提出了什么要求？")
    llm.enqueue("中央巡视组要求安排专门力量集中承担脱贫攻坚任务。")
    ans = with_backend(assistant, llm).ask("针对这些问题，巡视组提出了什么要求？", history)
    condense, answer = llm.requests
    assert "中管金融企业存在什么问题" in condense["json"]["messages"][0]["content"]
    assert "针对这些问题，巡视组提出了什么要求？" in condense["json"]["messages"][0]["content"]
    assert ans.condensed_question == "针对中管金融企业存在的问题，中央巡视组提出了什么要求？"
    prompt = llm.last_prompt()
    assert "用户：中管金融企业存在什么问题？" in prompt and "助手：扶贫贷款投放" in prompt
    assert ans.backend == "openai" and ans.citations[0].verified and ans.citations[0].paragraph == 26


def test_condense_rules_setting_skips_the_model(assistant, llm):
    llm.enqueue("中央巡视组要求安排专门力量集中承担脱贫攻坚任务。")
    a = with_backend(assistant, llm, condense="rules")
    ans = a.ask("针对这些问题，巡视组提出了什么要求？", [{"role": "user", "content": "中管金融企业存在什么问题？"}])
    assert len(llm.requests) == 1 and ans.condensed_question.startswith("中管金融企业存在什么问题？")


def test_backend_chosen_per_call_and_unknown_name_is_a_config_error(assistant, llm):
    a = with_backend(assistant, llm)
    assert a.ask(Q, backend="extractive").backend == "extractive" and llm.requests == []
    with pytest.raises(ConfigError, match="unknown backend 'gpt9'"):
        a.ask(Q, backend="gpt9")


def test_doctor_check_finds_the_model_or_says_what_is_missing(assistant, llm):
    a = with_backend(assistant, llm)
    assert "qwen" in a.backend.check()
    llm.models = ["other", "another"]
    with pytest.raises(backends.BackendError, match="没有模型 'qwen'"):
        a.backend.check()


def test_doctor_reports_a_working_and_a_broken_backend(assistant, llm):
    from llm_servers import refused_port

    from assistant.doctor import check_backend

    llm.enqueue("你好")
    cfg = with_backend(assistant, llm).config
    ok = check_backend("openai", cfg)
    assert ok.ok and "你好" in ok.detail and llm.requests[0]["json"]["max_tokens"] == 16
    bad = check_backend("ollama", cfg.replace(ollama_url=f"http://127.0.0.1:{refused_port()}"))
    assert not bad.ok and "无法连接" in bad.detail and "ollama serve" in bad.line()


def test_doctor_checks_the_backends_and_profiles_the_web_chat_offers(assistant, llm):
    from llm_servers import refused_port

    from assistant import doctor
    from assistant.config import load_config

    text = (f'[profiles.local]\nbackend = "openai"\nopenai_base_url = "{llm.url}/v1"\nopenai_model = "qwen"\n'
            f'[profiles.away]\nbackend = "ollama"\nollama_url = "http://127.0.0.1:{refused_port()}"\n'
            f'ollama_model = "qwen"\nllm_timeout = 5.0\n')
    cfg = load_config(text, "assistant.toml", {}, {"data_dir": assistant.config.data_dir,
                                                   "index_dir": assistant.config.index_dir,
                                                   "llamacpp_model": "/nonexistent.gguf"})
    llm.enqueue("你好")
    lines: list[str] = []
    assert doctor.run(cfg, say=lines.append) is False  # one profile's server is away
    text = "\n".join(lines)
    assert "✓ backend extractive" in text and "✓ profile local (openai):" in text and "你好" in text
    assert "✗ profile away (ollama):" in text and "ollama serve" in text
