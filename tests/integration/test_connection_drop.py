"""The case system's connection drops part-way through the extract: the attempt fails with an
error saying the case system closed the connection (not SQLAlchemy's "connection already
closed" from rolling back on it) and leaves no partial copy of the data; the next attempt
(Airflow's retry) extracts exactly what an undisturbed extract does. The drop is real: a TCP proxy in front of
the PostgreSQL server cuts the first connection after part of the data has passed, wherever
that lands (a COPY stream, or a statement between two)."""

from __future__ import annotations

import contextlib
import socket
import threading

import pytest
import sqlalchemy as sa

from improvement import pipeline
from improvement.connections import DatabaseTarget
from improvement.generator import load_case_system
from tests.integration.helpers import fresh_database

SCHEMA = "ssd_drop"


class CuttingProxy:
    """Forwards TCP to ``target``; the first connection is cut after ``cut_after`` bytes have
    come back from the server, later ones pass untouched."""

    def __init__(self, target: tuple[str, int], cut_after: int) -> None:
        self.target, self.cut_after, self.connections = target, cut_after, 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            server = socket.create_connection(self.target)
            limit = self.cut_after if self.connections == 1 else None
            threading.Thread(target=self._pipe, args=(client, server, None), daemon=True).start()
            threading.Thread(target=self._pipe, args=(server, client, limit), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket, limit: int | None) -> None:
        passed = 0
        try:
            while data := source.recv(65536):
                sink.sendall(data)
                passed += len(data)
                if limit is not None and passed >= limit:
                    break
        except OSError:
            pass
        for end in (source, sink):  # cut both ways, as a network failure does
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
            end.close()

    def close(self) -> None:
        self.listener.close()


@pytest.fixture
def case_system_on_postgres(small_county, postgres_url):
    url = sa.make_url(fresh_database(postgres_url, "case_drop"))
    load_case_system(small_county, url.render_as_string(False), schema=SCHEMA)
    return url


# Cut early (in the first tables) and late: where a cut lands moves as the extract changes.
@pytest.mark.parametrize("cut_after", [300_000, 2_000_000])
def test_a_dropped_connection_leaves_nothing_and_the_retry_extracts_it_all(
    case_system_on_postgres, tmp_path, cut_after
):
    url = case_system_on_postgres
    undisturbed = pipeline.run_extract(
        DatabaseTarget.from_url(url.render_as_string(False), schema=SCHEMA), tmp_path / "direct"
    )
    proxy = CuttingProxy((url.host, url.port), cut_after=cut_after)
    try:
        through = url.set(host="127.0.0.1", port=proxy.port).render_as_string(False)
        target = DatabaseTarget.from_url(through, schema=SCHEMA)
        staging = tmp_path / "staging" / "weekly" / "2026-11-15"
        with pytest.raises(Exception, match="closed the connection"):
            pipeline.run_extract(target, staging)
        assert not staging.parent.exists() or not any(staging.parent.iterdir())
        retried = pipeline.run_extract(target, staging)  # what Airflow's retry does
    finally:
        proxy.close()
    assert retried["extract_hash"] == undisturbed["extract_hash"]
    assert proxy.connections >= 2
