"""The monthly review's human answers, checked for personal data before anything of them is kept.

On Airflow 3.3 an answer is stored by the API (``hitl_detail.params_input``) when the reviewer
submits it, and the step then resumes in ``execute_complete`` with the answer as its event
(kept meanwhile in the task instance's ``next_kwargs``). So the check is the first thing
``execute_complete`` does, before the answer is recorded in the warehouse, summarised or
returned to XCom. When a typed field holds a child's name, an id or a date of birth
(``improvement.personal_data``):

1. the refusal is recorded (``signoff.record_refusal``): who, when, which field and what kind,
   never the text; the task log and the review channel on Slack say the same;
2. Airflow's copies are wiped and the question is asked again: ``upsert_hitl_detail`` (the
   Execution API call the operator's own ``execute`` makes) clears the stored response
   (typed fields, chosen option, who and when), and the step parks again in
   ``awaiting_input``, which replaces the ``next_kwargs`` holding the answer with nothing.

Airflow's audit log (its ``log`` table) records every request's body, answers included; the
deployments set ``[core] sensitive_var_conn_names = params_input`` so it records "***" there
instead (``docs/security.md``).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any, NoReturn

log = logging.getLogger(__name__)

# Airflow's ``[core] sensitive_var_conn_names`` in every deployment (docker-compose.yml,
# scripts/lib.sh): the audit log masks the answers' typed fields.
AUDIT_LOG_MASKED_FIELDS = "params_input"


def screen(
    context: dict[str, Any],
    council,
    *,
    step: str,
    review_round: int,
    params_input: dict[str, Any] | None,
    person: str,
    answered_at: dt.datetime,
) -> str | None:
    """None when no typed field of the answer holds personal data. Otherwise the refusal (where
    and what kind), once it is recorded and the council's reviewers are told."""
    from improvement import signoff
    from improvement.monthly import period_end, review_id
    from improvement.notify import announce_refusal
    from improvement.personal_data import field_label, guard_for_snapshot

    fields = {
        field_label(key): text
        for key, text in (params_input or {}).items()
        if isinstance(text, str) and text.strip()
    }
    if not fields:
        return None
    snapshot_key = context["ti"].xcom_pull(task_ids="prepare")["snapshot_key"]
    engine = council.warehouse().engine()
    try:
        hits = guard_for_snapshot(engine, snapshot_key, council).check(fields)
        if not hits:
            return None
        found = "; ".join(hit.describe() for hit in hits)
        signoff.record_refusal(
            engine,
            signoff.Refusal(
                run_id=review_id(context),
                review_round=review_round,
                step=step,
                period_end=period_end(context),
                person=person,
                found=found,
                answered_at=answered_at,
            ),
        )
        announce_refusal(engine, council, context, review_id(context), found, answered_at)
    finally:
        engine.dispose()
    log.warning("%s's answer was not kept and is asked for again: %s", person, found)
    return found


def ask_again(operator, context: dict[str, Any], timeout: dt.timedelta) -> NoReturn:
    """Clear Airflow's stored answer of this step and wait for a new one (see the module doc)."""
    from airflow.sdk.exceptions import TaskAwaitingInput
    from airflow.sdk.execution_time.hitl import upsert_hitl_detail

    upsert_hitl_detail(
        ti_id=context["task_instance"].id,
        options=operator.options,
        subject=operator.subject,
        body=operator.body,
        defaults=operator.defaults,
        multiple=operator.multiple,
        params=operator.serialized_params,
        assigned_users=operator.assigned_users,
    )
    raise TaskAwaitingInput(method_name="execute_complete", timeout=timeout)
