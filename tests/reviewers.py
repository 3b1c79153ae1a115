"""Scripted reviewers beside a ``dag.test`` run, bounded by the test's deadline.

``dag.test`` waits for a human-in-the-loop answer for as long as it takes. If the scripted
reviewers give up (their deadline passed, or the API refused an answer), every unfinished task
of the DAG's running runs is marked failed, so ``dag.test`` returns and the test fails with the
reviewers' own message naming the step they waited for. (Not a signal: a signal arriving while
``dag.test`` runs a task in this thread is caught as that task's failure, and retried.)
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator

from improvement.demo_reviewers import Answer, Responder


def fail_unfinished_tasks(dag_id: str, ended: threading.Event, within: float = 120.0) -> None:
    """The DAG's running runs, and every unfinished task of them, marked failed until ``ended``
    (``dag.test`` returned): it ends at its next look at the run. Repeated, because a task that
    was running when the reviewers gave up writes its own state when it ends, and the run may
    be set running again by it."""
    from airflow.models import DagRun
    from airflow.utils.session import create_session
    from airflow.utils.state import DagRunState, State, TaskInstanceState

    give_up_at = time.monotonic() + within
    while time.monotonic() < give_up_at and not ended.is_set():
        try:
            with create_session() as session:
                running = session.query(DagRun).filter_by(dag_id=dag_id, state=DagRunState.RUNNING)
                for run in running:
                    for ti in run.get_task_instances(session=session):
                        if ti.state not in State.finished:
                            ti.state = TaskInstanceState.FAILED
                    run.state = DagRunState.FAILED
        except Exception:  # SQLite may be busy with the run's own commit: try again
            pass
        time.sleep(1)


@contextlib.contextmanager
def reviewers_answering(dag_id: str, answers: list[Answer], deadline: float) -> Iterator[Responder]:
    """Start the reviewers; the block runs the DAG (``dag.test``). On leaving, the reviewers
    must have answered every step without an error."""
    ended = threading.Event()
    responder = Responder(
        dag_id, answers, deadline=deadline,
        on_give_up=lambda _why: fail_unfinished_tasks(dag_id, ended),
    )  # fmt: skip
    responder.start()
    try:
        yield responder
    finally:
        ended.set()
        responder.join(timeout=10)
        responder.on_give_up, responder.deadline = None, 0.0  # a thread left waiting stops now
    assert not responder.errors, f"scripted reviewers of {dag_id}: {'; '.join(responder.errors)}"
    assert not responder.answers, f"steps never asked: {[a.task_id for a in responder.answers]}"
