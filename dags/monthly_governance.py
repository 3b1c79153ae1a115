"""
### Monthly governance: measure, review, sign off and publish each group's pack

Runs **07:00 Europe/London on the 5th of each month** (about three working days after month
end) and reports on the **previous calendar month**: the month before its data interval ends.
To run a month by hand, trigger it with **month** (`YYYY-MM`) in the form; left empty, a manual
run reports on the last complete month with a weekly snapshot after its end. The DAG is created
unpaused (`is_paused_upon_creation=False`); the **Packs** page (navigation bar) shows which
months are published, for which meeting, and opens every round's packs.

1. **prepare** measures every measure as at the month end from the first weekly snapshot
   taken after it (the weekly DAG must have run for that week), records any revision of
   figures already published, and finds which due groups' packs need review: those not yet
   published for the month, or (on a re-run or backfill) whose pack would now differ from the
   one published. **needs_review** skips the review when none does
   (**no_review_needed**): unchanged packs keep their publication and sign-off record.
2. **render_drafts** renders the packs needing review (monthly groups; the DfE quarterly).
3. Each review round (`round_1` … `round_N`, N = `sign_off.max_rounds`):
   **analyst** (quality assurance: commentary per priority area, or "no commentary this
   month" ticked, for every area off target or of concern, and data caveats, which go into the
   highlight report) → **render** (the packs again, with them) → **head_of_service**
   (Approve / Request changes, with a reason) → **chief_officer** (Approve / Request changes /
   Reject, with a reason). Each step shows a summary of the round's packs with links to them.
   Requesting changes sends the packs back to the next round's analyst step with the reason;
   every answer is kept in the warehouse's sign-off record. Only the reviewers configured in
   `config/governance.yaml` may answer; each waits until the earliest papers deadline.
4. **publish** (one mapped task per due group) publishes a pack only if its content hash
   equals the hash of the packs signed off, for the group's next meeting; a missed papers
   deadline is recorded; an unchanged earlier publication stands as it is. A rejection, or
   running out of rounds, publishes nothing (**not_published**).
5. **deadline_watch** runs beside the review: if the month is still not decided by 09:00,
   `sign_off.escalate_working_days_before_deadline` working days before the first papers
   deadline, it tells the Chief Officer's channel once.

In regional mode (`IMPROVEMENT_REGION_CONFIG`, `docs/regional.md`) there is one such DAG per
council, `monthly_governance__<council id>`, with that council's reviewers, groups, channels,
warehouse and folders; the single-council `monthly_governance` is then not defined.

Owner: performance and information team. Logic lives in `plugins/improvement/`.
"""

from __future__ import annotations

import pendulum
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import (
    CronDataIntervalTimetable,
    Param,
    PokeReturnValue,
    TaskGroup,
    dag,
    get_current_context,
    task,
)

from improvement import monthly
from improvement.dag_defaults import default_args
from improvement.governance import SignOffConfig, load_sign_off
from improvement.measures.catalogue import PRIORITY_AREAS
from improvement.region import load_region, region_configured
from improvement.review import (
    APPROVE,
    MONTH_PLACEHOLDER,
    REJECT,
    REQUEST_CHANGES,
    AnalystReview,
    ReviewDecision,
    ReviewRequestNotifier,
)

ONE_SUCCESS = "one_success"
MONTH_FORM = Param(
    None,
    type=["null", "string"],
    pattern=r"^\d{4}-(0[1-9]|1[0-2])$",
    title="Month to report on (YYYY-MM, e.g. 2026-10)",
    description_md=(
        "Leave empty for the **last complete month with a weekly snapshot taken after its "
        "end** (a scheduled run: the month before its run date). Which months are already "
        "published, and for which meeting, is on the [Packs page](/packs/): a month whose "
        "packs are published and unchanged is not reviewed again."
    ),
)


def monthly_governance(dag_id: str, sign_off: SignOffConfig, council_id: str | None = None):
    """The DAG for one council: the single-council install's, or one council's of a region
    (``council_id``: every step then runs as that council's work)."""

    def reviewers(step: str) -> list[dict]:
        return [reviewer.as_hitl_user() for reviewer in sign_off.reviewers[step]]

    @dag(
        dag_id=dag_id,
        schedule=CronDataIntervalTimetable("0 7 5 * *", timezone="Europe/London"),
        start_date=pendulum.datetime(2024, 1, 1, tz="Europe/London"),
        catchup=False,
        max_active_runs=1,
        is_paused_upon_creation=False,
        params={monthly.MONTH_PARAM: MONTH_FORM},
        default_args=default_args(council_id),
        doc_md=__doc__,
        tags=["monthly", "packs", "sign-off"] + ([f"council:{council_id}"] if council_id else []),
    )
    def governance():
        @task
        def prepare() -> dict:
            return monthly.prepare(get_current_context(), council_id)

        @task.branch
        def needs_review(prepared: dict) -> str:
            return "render_drafts" if prepared["review_groups"] else "no_review_needed"

        @task
        def render_round(prepared: dict, review_round: int) -> dict:
            return monthly.render_round(prepared, review_round, get_current_context(), council_id)

        @task.sensor(poke_interval=3600, timeout=60 * 60 * 24 * 45, mode="reschedule")
        def deadline_watch(prepared: dict) -> PokeReturnValue:
            done, outcome = monthly.watch_deadline(prepared, get_current_context(), council_id)
            return PokeReturnValue(is_done=done, xcom_value=outcome)

        @task
        def groups_due(prepared: dict) -> list[str]:
            return prepared["groups"]

        @task(map_index_template="{{ publication_label }}")
        def publish(prepared: dict, group_id: str) -> dict:
            context = get_current_context()
            context["publication_label"] = group_id
            published = monthly.publish(prepared, group_id, context, council_id)
            context["publication_label"] = monthly.publication_label(published)
            return published

        prepared = prepare()
        deadline_watch(prepared)
        drafts = render_round.override(task_id="render_drafts")(prepared, 0)
        no_review_needed = EmptyOperator(task_id="no_review_needed")
        needs_review(prepared) >> [drafts, no_review_needed]
        back_to_analyst = [drafts]
        approvals, stops = [], []
        for review_round in range(1, sign_off.max_rounds + 1):
            with TaskGroup(f"round_{review_round}"):
                prefix = f"round_{review_round}."
                analyst = AnalystReview(
                    task_id="analyst",
                    council_id=council_id,
                    review_round=review_round,
                    areas=PRIORITY_AREAS,
                    subject=f"Quality-assure the {MONTH_PLACEHOLDER} packs (round {review_round})",
                    assigned_users=reviewers("analyst"),
                    notifiers=[ReviewRequestNotifier("analyst", council_id)],
                    trigger_rule=ONE_SUCCESS,
                    retries=0,
                )
                rendered = render_round.override(task_id="render")(prepared, review_round)
                head_of_service = ReviewDecision(
                    task_id="head_of_service",
                    council_id=council_id,
                    step="head_of_service",
                    review_round=review_round,
                    subject=f"Review the {MONTH_PLACEHOLDER} packs (round {review_round})",
                    options=[APPROVE, REQUEST_CHANGES],
                    options_mapping={
                        APPROVE: prefix + "chief_officer",
                        REQUEST_CHANGES: prefix + "changes_requested_by_head_of_service",
                    },
                    assigned_users=reviewers("head_of_service"),
                    notifiers=[ReviewRequestNotifier("head_of_service", council_id)],
                    retries=0,
                )
                chief_officer = ReviewDecision(
                    task_id="chief_officer",
                    council_id=council_id,
                    step="chief_officer",
                    review_round=review_round,
                    subject=f"Sign off the {MONTH_PLACEHOLDER} packs (round {review_round})",
                    options=[APPROVE, REQUEST_CHANGES, REJECT],
                    options_mapping={
                        APPROVE: prefix + "approved",
                        REQUEST_CHANGES: prefix + "changes_requested_by_chief_officer",
                        REJECT: prefix + "rejected",
                    },
                    assigned_users=reviewers("chief_officer"),
                    notifiers=[ReviewRequestNotifier("chief_officer", council_id)],
                    retries=0,
                )
                changes = [
                    EmptyOperator(task_id="changes_requested_by_head_of_service"),
                    EmptyOperator(task_id="changes_requested_by_chief_officer"),
                ]
                approved = EmptyOperator(task_id="approved")
                rejected = EmptyOperator(task_id="rejected")
                back_to_analyst >> analyst >> rendered >> head_of_service
                head_of_service >> [chief_officer, changes[0]]
                chief_officer >> [approved, changes[1], rejected]
            back_to_analyst = changes
            approvals.append(approved)
            stops.append(rejected)

        signed_off = EmptyOperator(task_id="signed_off", trigger_rule=ONE_SUCCESS)
        not_published = EmptyOperator(task_id="not_published", trigger_rule=ONE_SUCCESS)
        [*approvals, no_review_needed] >> signed_off
        [*stops, *back_to_analyst] >> not_published
        signed_off >> publish.partial(prepared=prepared).expand(group_id=groups_due(prepared))

    return governance()


if region_configured():
    for council in load_region().councils:
        monthly_governance(
            f"monthly_governance__{council.council_id}",
            load_sign_off(council.config_dir / "governance.yaml"),
            council.council_id,
        )
else:
    monthly_governance("monthly_governance", load_sign_off())
