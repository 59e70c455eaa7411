"""An answer stream run in a worker thread, so the web chat can show how long it has been waiting.

A model backend may think for seconds before its first word; a generator that blocks on it cannot update the
page meanwhile. ``ticking`` runs the stream in a thread and yields what it produces, a stage name when one
begins (``Assistant.stream``'s ``stage`` callback: 检索中 → 生成中) and an empty tick every TICK seconds of
silence. Closing it (gradio's 停止 cancels the handler) tells the worker to close the stream at its next piece,
which closes the model's connection.
"""
from __future__ import annotations

import queue
import threading
from typing import Any, Callable, Iterator

TICK = 0.25  # seconds between elapsed-time updates while nothing arrives
STAGE, PIECE, TICKED, END = "stage", "piece", "tick", "end"


def ticking(start: Callable[[Callable[[str], None]], Iterator[Any]], tick: float = TICK) -> Iterator[tuple[str, Any]]:
    """(kind, value) pairs: (STAGE, name), (PIECE, item) and (TICKED, None); the stream's exception is raised."""
    events: queue.Queue = queue.Queue()
    stop = threading.Event()

    def work() -> None:
        failure = None
        try:
            stream = start(lambda name: events.put((STAGE, name)))
            try:
                for item in stream:
                    events.put((PIECE, item))
                    if stop.is_set():
                        break
            finally:
                close = getattr(stream, "close", None)
                if close:
                    close()
        except BaseException as e:  # handed to the consumer, raised there
            failure = e
        events.put((END, failure))

    threading.Thread(target=work, name="answer-stream", daemon=True).start()
    try:
        while True:
            try:
                kind, value = events.get(timeout=tick)
            except queue.Empty:
                yield TICKED, None
                continue
            if kind == END:
                if value is not None:
                    raise value
                return
            yield kind, value
    finally:
        stop.set()
