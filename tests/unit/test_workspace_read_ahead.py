"""Reading the next table while the current one loads: order, bounds and failures."""

from __future__ import annotations

import threading

import pytest

from improvement.measures.workspace import _read_ahead


def test_results_come_in_order_with_nothing_where_there_is_nothing_to_read():
    reads = [lambda: "a", None, lambda: "c", lambda: "d", None]
    assert list(_read_ahead(reads)) == ["a", None, "c", "d", None]
    assert list(_read_ahead([])) == []


def test_at_most_the_next_read_runs_ahead_on_another_thread():
    started: list[int] = []
    threads: set[str] = set()

    def read(index: int):
        def run():
            started.append(index)
            threads.add(threading.current_thread().name)
            return index

        return run

    for index, result in enumerate(_read_ahead([read(i) for i in range(6)])):
        assert result == index
        assert max(started) <= index + 1, "read more than one table ahead"
    assert started == list(range(6))
    assert threads and threading.current_thread().name not in threads


def test_a_failed_read_is_raised_where_its_table_is_loaded():
    def broken():
        raise ValueError("unreadable payload")

    loaded = []
    with pytest.raises(ValueError, match="unreadable payload"):
        for result in _read_ahead([lambda: 1, broken, lambda: 3]):
            loaded.append(result)
    assert loaded == [1]
