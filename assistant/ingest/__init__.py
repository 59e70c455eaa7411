"""Stage 1, ingest: read report files (``reader``, ``formats``), clean them (``cleaning``), split them into numbered
paragraphs and chunks (``document``) and write them into the index (``pipeline``, under ``lock``, with
``progress``)."""
