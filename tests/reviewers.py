"""Scripted reviewers beside a ``dag.test`` run, bounded by the test's deadline.

``dag.test`` waits for a human-in-the-loop answer for as long as it takes. If the scripted
reviewers give up (their deadline passed, or the API refused an answer), every unfinished task
of the DAG's running runs is marked failed, so ``dag.test`` returns and the test fails with the
reviewers' own message naming the step they waited for. (Not a signal: a signal arriving while
``dag.test`` runs a task in this thread is caught as that task's failure, and retried.)
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

from improvement.demo_reviewers import Answer, Responder


def fail_unfinished_tasks(dag_id: str) -> None:
    """Every unfinished task of the DAG's running runs marked failed: ``dag.test`` then ends."""
    from airflow.models import DagRun
    from airflow.utils.session import create_session
    from airflow.utils.state import DagRunState, State, TaskInstanceState

    for attempt in range(5):  # SQLite may be busy with the run's own commit
        try:
            with create_session() as session:
                for run in session.query(DagRun).filter_by(
                    dag_id=dag_id, state=DagRunState.RUNNING
                ):
                    for ti in run.get_task_instances(session=session):
                        if ti.state not in State.finished:
                            ti.state = TaskInstanceState.FAILED
            return
        except Exception:
            if attempt == 4:
                raise
            time.sleep(1)


@contextlib.contextmanager
def reviewers_answering(dag_id: str, answers: list[Answer], deadline: float) -> Iterator[Responder]:
    """Start the reviewers; the block runs the DAG (``dag.test``). On leaving, the reviewers
    must have answered every step without an error."""
    responder = Responder(
        dag_id, answers, deadline=deadline, on_give_up=lambda _why: fail_unfinished_tasks(dag_id)
    )
    responder.start()
    try:
        yield responder
        responder.join(timeout=10)
    finally:
        responder.on_give_up, responder.deadline = None, 0.0  # a thread left waiting stops now
    assert not responder.errors, f"scripted reviewers of {dag_id}: {'; '.join(responder.errors)}"
    assert not responder.answers, f"steps never asked: {[a.task_id for a in responder.answers]}"
