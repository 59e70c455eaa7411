"""A GGUF model run in-process by llama-cpp-python (optional: pip install 'llama-cpp-python==0.3.36').

The model loads on first use (about a second for 1.5B Q4) and is kept; one answer at a time, since a llama.cpp
context is not thread-safe. The deadline is checked between tokens, so llm_timeout holds here too.
"""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Iterator

import numpy as np

from assistant.backends import BackendError
from assistant.backends.chat import ChatBackend

INSTALL = "pip install 'llama-cpp-python==0.3.36'（编译约 5 分钟；CMAKE_ARGS=\"-DGGML_NATIVE=OFF\" 可移植）"


class LlamaCppBackend(ChatBackend):
    name = "llamacpp"

    def __init__(self, config):
        super().__init__(config)
        self.path = Path(config.llamacpp_model)
        self.threads, self.context = config.llamacpp_threads, config.llamacpp_context
        self._llm = None
        self._lock = threading.Lock()

    def describe(self) -> str:
        return f"llamacpp {self.path}"

    def _load(self):
        if self._llm is None:
            try:
                from llama_cpp import Llama
            except ImportError:
                raise BackendError(self.name, f"没有安装 llama-cpp-python：{INSTALL}") from None
            if not self.path.is_file():
                raise BackendError(self.name, f"模型文件 {self.path} 不存在：运行 scripts/get-model.sh，或设置 llamacpp_model")
            try:
                self._llm = Llama(model_path=str(self.path), n_ctx=self.context, n_threads=self.threads, verbose=False)
            except Exception as e:  # llama.cpp reports a bad file as ValueError/RuntimeError
                raise BackendError(self.name, f"无法加载模型 {self.path}：{e}") from None
        return self._llm

    def _chat(self, messages: list[dict], max_tokens: int, stream: bool) -> Iterator[str]:
        with self._lock:
            llm = self._load()
            deadline = self.deadline()
            try:
                for chunk in llm.create_chat_completion(messages=messages, temperature=self.temperature,
                                                        max_tokens=max_tokens, stream=True):
                    piece = chunk["choices"][0]["delta"].get("content")
                    if piece:
                        yield piece
                    self.expired(deadline)
            except BackendError:
                raise
            except Exception as e:  # e.g. the prompt does not fit the context window
                raise BackendError(self.name, f"{type(e).__name__}: {str(e)[:160]}") from None

    def yes_no(self, user: str) -> float:
        """How much more the model would begin its reply to USER (one user turn, ChatML) with 是 than with 否:
        logit(是) − logit(否) after a single forward pass, no sampling (the careful judge, answering/model_judge.py).
        BackendError when the model cannot be loaded or its vocabulary has no single token for either word."""
        prompt = f"<|im_start|>user\n{user}<|im_end|>\n<|im_start|>assistant\n"
        with self._lock:
            llm = self._load()
            try:
                yes, no = (llm.tokenize(w.encode("utf-8"), add_bos=False, special=False) for w in ("是", "否"))
                if len(yes) != 1 or len(no) != 1:
                    raise BackendError(self.name, f"{self.path.name} 的词表里“是”“否”不是单个词元，不能用作判定")
                tokens = llm.tokenize(prompt.encode("utf-8"), special=True)
                if len(tokens) >= self.context:
                    raise BackendError(self.name, f"判定提示有 {len(tokens)} 个词元，超过 llamacpp_context")
                llm.reset()  # the previous answer's tokens are not a prefix of this prompt
                llm.eval(tokens)
                # the next token's logits after the prompt (llama-cpp-python 0.3 no longer copies them into
                # llm.scores unless every position's logits are kept)
                logits = np.ctypeslib.as_array(llm._ctx.get_logits(), shape=(llm.n_vocab(),))
                return float(logits[yes[0]] - logits[no[0]])
            except BackendError:
                raise
            except Exception as e:
                raise BackendError(self.name, f"{type(e).__name__}: {str(e)[:160]}") from None

    def check(self) -> str:
        self._load()
        return f"{self.describe()}（{self.path.stat().st_size / 1e9:.2f} GB）"
