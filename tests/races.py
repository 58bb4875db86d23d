"""Threads racing on rows (PostgreSQL tests): everyone starts at once, each on its own
database connection, and says whether it got through or was refused."""

import threading
from collections.abc import Callable, Iterable

from django.db import connection


def race(work: Callable, items: Iterable, *, refused: tuple[type[Exception], ...]) -> list[str]:
    """Call ``work(item)`` for every item at once, one thread each, released together by a
    barrier; the sorted outcomes, "ok" or "refused" (one of the ``refused`` errors)."""
    items = list(items)
    barrier = threading.Barrier(len(items))
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(item):
        try:
            connection.ensure_connection()
            barrier.wait()
            work(item)
            result = "ok"
        except refused:
            result = "refused"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(item,)) for item in items]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)
