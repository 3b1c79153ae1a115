"""The demo county's improvement-plan register (``docs/improvement-plan.md``).

Thirty-three actions across the eight ILACS priority areas and the service priorities,
modelled on the seed council's plan after its inadequate judgement: weekly senior oversight
of care leavers at risk, a new pathway plan, case progression managers for pre-proceedings,
chairs' scrutiny of long plans, a relaunched quality assurance framework, and so on. Owners
are role titles, never people. The actions are fixed; which are complete, overdue, re-dated,
at risk or off track, and their dates, are drawn from the seed around the as-at date, with a
fixed number of each so every register shows every case the packs must handle:

- 9 complete, due in the nine months before the as-at date (2 after a revised date), each
  with its evidence of impact;
- 3 overdue (1 of them past a revised date as well), with what is being done about it;
- 4 re-dated into the coming months (2 of them still at risk);
- 2 at risk and 1 off track though not yet due, with what is being done;
- the rest on track, or not started when due four months or more ahead.

Each re-dated action gives its own reason. Two decisions are asked of the board: one for
the off-track action, and agreement to one re-dated action's new date. Six actions are
improvement-notice milestones. Due dates are month ends. The same seed and as-at date always
give the same file, byte for byte.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from improvement.plan import (
    AT_RISK,
    COLUMNS,
    COMPLETE,
    NOT_STARTED,
    OFF_TRACK,
    ON_TRACK,
)

PLAN_STREAM = 4  # numpy streams: 1 simulation, 2 assembly and faults, 3 extension tables


@dataclass(frozen=True)
class _Action:
    action_id: str
    priority_area: str
    action: str
    owner: str
    measures: tuple[str, ...]
    evidence: str  # written when the action is complete
    remedial: str  # written when it is overdue, at risk or off track
    decision: str = ""  # a decision the board could be asked for if it goes off track
    milestone: bool = False
    reason: str = ""  # why its date moved, when it is re-dated


ACTIONS = (
    _Action(
        "CL-01",
        "care_leavers",
        "Senior leaders review weekly, by name, every care leaver in unsuitable or high-risk "
        "accommodation, stepping down to Area Manager review once sustained",
        "Chief Officer for Children's Services",
        ("cl_high_risk_unsuitable", "cl_suitable_accom"),
        "Monitoring visit found a clear line of sight from senior leaders to the young people "
        "most at risk; fewer care leavers in high-risk accommodation",
        "Area Managers hold the weekly review, with the Chief Officer sampling fortnightly; "
        "each young person without a move-on plan escalated to commissioning",
        "Agree that weekly by-name review moves to Area Managers, with monthly assurance to "
        "the board",
        milestone=True,
        reason="Step-down held until high-risk placements had stayed low for three months",
    ),
    _Action(
        "CL-02",
        "care_leavers",
        "Increase personal adviser capacity so that every care leaver has an allocated "
        "adviser who keeps in touch",
        "Head of Service, Care Leavers",
        ("cl_in_touch",),
        "Every care leaver has an allocated personal adviser; contact recorded within the "
        "last eight weeks for almost all",
        "Agency personal advisers cover vacant posts while permanent recruitment continues",
        "Approve funding for three further personal adviser posts",
        reason="Recruitment to the adviser posts took longer than planned",
    ),
    _Action(
        "CL-03",
        "care_leavers",
        "Introduce the revised pathway plan with risk and safety planning, and review every "
        "care leaver's plan on it",
        "Service Manager, Care Leavers",
        ("cl_pathway_plan_current",),
        "All pathway plans now on the revised template; audit found the young person's "
        "voice clear in most plans",
        "Weekly tracker of plans due, reviewed by team managers; plans overdue escalated to "
        "the Service Manager",
        reason="Case system form for the new template delivered late by the supplier",
    ),
    _Action(
        "CL-04",
        "care_leavers",
        "Offer every care leaver a health passport at 18 and track take-up with health partners",
        "Designated Nurse for Children in Care",
        ("cl_health_passport",),
        "Health passports offered to every young person turning 18; take-up reported monthly "
        "with health partners",
        "Joint review with health partners of passports offered but not issued; personal "
        "advisers follow up each one",
        reason="Depends on the health partners' new record system going live",
    ),
    _Action(
        "CL-05",
        "care_leavers",
        "Widen the accommodation offer for care leavers with the district councils and "
        "supported-living providers",
        "Head of Commissioning, Children's Services",
        ("cl_suitable_accom",),
        "Housing protocol signed with all district councils; more supported-lodgings places",
        "Supported accommodation spot-purchased while the framework is re-tendered",
        "Approve the re-tender of the supported accommodation framework",
        reason="Housing protocol awaiting sign-off by two district councils",
    ),
    _Action(
        "CL-06",
        "care_leavers",
        "Train personal advisers and managers in multi-agency safety planning for care "
        "leavers at complex risk (exploitation, county lines, mental ill health)",
        "Principal Social Worker",
        ("cl_high_risk_unsuitable",),
        "Training delivered to every personal adviser and team manager; multi-agency risk "
        "meetings now convened promptly",
        "Extra training dates booked with the police and mental health partners",
        reason="Training provider cancelled; new dates booked with police and health partners",
    ),
    _Action(
        "CL-07",
        "care_leavers",
        "Education, employment and training offer for care leavers with the Virtual School "
        "and employment partners",
        "Virtual School Head",
        ("cl_eet",),
        "Apprenticeship places ring-fenced for care leavers; more aged 19-21 in education, "
        "employment or training",
        "Personal advisers refer every care leaver not in education or work to the "
        "employment adviser within a month",
        reason="Apprenticeship scheme start moved to the next academic year",
    ),
    _Action(
        "NP-01",
        "neglect_pre_proceedings",
        "Train practitioners and partner agencies to assess neglect with the Graded Care Profile 2",
        "Principal Social Worker",
        (),
        "Graded Care Profile 2 training delivered to all Children and Families teams; the "
        "tool is in use in audited neglect cases",
        "Training moved online and repeated for teams that missed it",
        reason="Training rescheduled so that partner agencies could attend",
    ),
    _Action(
        "NP-02",
        "neglect_pre_proceedings",
        "Case Progression Managers scrutinise every pre-proceedings case each month and "
        "escalate any open over 12 weeks",
        "Head of Service, Children and Families",
        ("pre_proceedings_12w",),
        "Fewer pre-proceedings over 12 weeks; more care proceedings issued in line with the "
        "social work recommendation",
        "Legal gateway meeting held weekly until the cases over 12 weeks are resolved",
        milestone=True,
        reason="Second Case Progression Manager post vacant for three months",
    ),
    _Action(
        "CP-01",
        "cp_conference_drift",
        "Child protection chairs review every plan open nine months or more and escalate "
        "drift to the Head of Service",
        "Head of Safeguarding and Quality Assurance",
        ("cp_open_9m_plus", "cp_ended_2y_plus"),
        "Every plan over nine months reviewed by a chair; escalations recorded and resolved",
        "Chairs' escalations reported monthly to the Deputy Chief Officer",
        milestone=True,
        reason="Chairs' capacity diverted to a rise in initial conferences",
    ),
    _Action(
        "CP-02",
        "cp_conference_drift",
        "Review repeat child protection plans to identify learning and act on it",
        "Service Manager, Child Protection Chairs",
        ("cp_repeat_2y", "cp_repeat_ever"),
        "Thematic review of repeat plans completed and its learning built into chairs' "
        "practice standards",
        "Review narrowed to plans repeated within two years so it can finish this quarter",
        reason="Scope widened at the board's request to plans repeated after two years",
    ),
    _Action(
        "CP-03",
        "cp_conference_drift",
        "Partners-in-practice diagnostic of the effectiveness of reviewing officers and "
        "child protection chairs",
        "Deputy Chief Officer, Children's Services",
        ("cp_reviews_timely",),
        "Diagnostic completed by the partner authority; its recommendations added to this plan",
        "New dates agreed with the partner authority for the case sampling",
        reason="Partner authority asked to move the diagnostic after its own inspection",
    ),
    _Action(
        "CM-01",
        "cp_medicals",
        "Reissue the child protection medicals criteria with paediatric partners; team "
        "managers check a medical was considered in every strategy discussion about an "
        "injury or disclosed physical abuse",
        "Head of Service, Initial Response",
        (),
        "Criteria reissued to all staff; dip sample found a medical considered in every case "
        "sampled",
        "Team managers' checklist added to the strategy discussion record",
        reason="Paediatric partners asked for a joint revision of the criteria",
    ),
    _Action(
        "CM-02",
        "cp_medicals",
        "Quarterly chair review of cases with injuries or disclosures of physical abuse, and "
        "the learning from the practice review shared",
        "Head of Safeguarding and Quality Assurance",
        (),
        "Quarterly reviews completed; practice review learning briefing delivered to all teams",
        "Review sample widened to include cases from the out-of-hours service",
        reason="Waiting for the practice review to be published",
    ),
    _Action(
        "PE-01",
        "permanence",
        "Early permanence planning meeting for every child by the second review, with the "
        "permanence plan recorded on the case system",
        "Head of Service, Children in Care",
        ("cla_long_term_stability",),
        "Permanence planning meetings held for almost every child by the second review",
        "Permanence tracker reviewed fortnightly by Area Managers",
        milestone=True,
        reason="Aligned with the launch of the permanence practice framework",
    ),
    _Action(
        "PE-02",
        "permanence",
        "Chief Officer oversight of care proceedings running beyond 26 weeks, and the "
        "analysis of delay shared with the judiciary",
        "Chief Officer for Children's Services",
        ("care_proceedings_26w", "care_proceedings_mean_weeks"),
        "Analysis of delay shared with the Designated Family Judge; fewer proceedings past "
        "26 weeks",
        "Legal and social work leads review each case past 26 weeks fortnightly",
        "Ask the Designated Family Judge to join a review of listing delays",
        reason="Court listing delays outside the council's control",
    ),
    _Action(
        "PE-03",
        "permanence",
        "Early permanence (fostering for adoption) placements with the regional adoption agency",
        "Head of the Regional Adoption Agency",
        ("adoption_a1_days",),
        "More children placed early with their adopters; shorter time from care to adoption",
        "Joint recruitment campaign with the regional adoption agency for early-permanence carers",
        reason="Regional adoption agency's recruitment campaign moved to the spring",
    ),
    _Action(
        "LS-01",
        "life_story_work",
        "Life-story work champions in every team, with tools, guidance and training",
        "Principal Social Worker",
        (),
        "Champions in place in every team; life-story training delivered and well evaluated",
        "Champions' network meets monthly to support teams without a trained champion",
        reason="Champions' training moved to follow the practice model roll-out",
    ),
    _Action(
        "LS-02",
        "life_story_work",
        "Audit life-story work for children with a permanence plan; reviewing officers check "
        "it at every review",
        "Independent Reviewing Officer Service Manager",
        ("cla_reviews_timely",),
        "Audit completed: life-story work in place for most children with a permanence plan",
        "Reviewing officers escalate every child without life-story work to the team manager",
        reason="Audit rescheduled after the monitoring visit",
    ),
    _Action(
        "PW-01",
        "placed_with_parents",
        "Locality panels chaired by Locality Directors oversee every child placed with parents",
        "Locality Director",
        (),
        "Every placement with parents reviewed at panel; risk assessments on file for all",
        "Panel dates doubled in the localities with the longest list",
        reason="Panels paused during the locality restructure",
    ),
    _Action(
        "PW-02",
        "placed_with_parents",
        "Follow-up audit of the assessments of children placed with parents",
        "Head of Quality Assurance",
        (),
        "Follow-up audit confirmed every child placed with parents appropriately assessed",
        "Audit sample reduced to the higher-risk placements to finish on time",
        reason="Auditors redeployed to the care leavers audit after the monitoring visit",
    ),
    _Action(
        "LO-01",
        "leadership_oversight",
        "Relaunch the Quality Assurance Framework: monthly practice evaluations moderated by "
        "senior managers, findings reported to managers and members",
        "Head of Quality Assurance",
        ("audits_good_plus", "audits_downgraded"),
        "Practice evaluations completed and moderated every month; more judged good or better",
        "Senior managers each take two moderations a month until the backlog clears",
        milestone=True,
        reason="Moderation backlog after the framework relaunch",
    ),
    _Action(
        "LO-02",
        "leadership_oversight",
        "Refresh the supervision policy; Locality Directors and Area Managers sample "
        "supervision records each month",
        "Deputy Chief Officer, Children's Services",
        ("supervision_timely",),
        "Policy reissued; sampling shows supervision more regular and more reflective",
        "Team managers' supervision diaries checked weekly by Area Managers",
        reason="Policy consultation with staff and unions extended",
    ),
    _Action(
        "LO-03",
        "leadership_oversight",
        "Recruitment and retention strategy: career progression and fewer agency social workers",
        "Head of Workforce Development",
        ("agency_rate", "turnover"),
        "Career progression framework launched; agency share and turnover falling",
        "International recruitment round and conversion offers to agency staff",
        "Approve a market supplement for experienced social workers in the South locality",
        reason="Strategy held for the council's pay and grading review",
    ),
    _Action(
        "LO-04",
        "leadership_oversight",
        "Keep average caseloads at or below target through a weekly allocation review",
        "Head of Service, Children and Families",
        ("caseload_avg",),
        "Average caseloads at or below target in every locality",
        "Cases redistributed across localities; two agency teams commissioned",
        reason="Caseload target reset with the new team structure",
    ),
    _Action(
        "LO-05",
        "leadership_oversight",
        "Resolve the case system's reporting defects and issue a weekly data-validation list "
        "to team managers",
        "Head of Performance and Information",
        (),
        "Weekly data-validation list in use by every team manager; reporting defects closed",
        "Supplier's fixes prioritised by the mobilisation board; manual checks meanwhile",
        milestone=True,
        reason="Supplier's fixes moved to a later release of the case system",
    ),
    _Action(
        "FD-01",
        "front_door",
        "Every child open to the service has an assessment updated in the last 12 months and "
        "completed within 45 working days",
        "Head of Service, Initial Response",
        ("assessments_45wd", "assessment_overdue_open"),
        "Assessments within 45 working days above target for three months running",
        "Overdue assessments reviewed weekly by team managers, with extra capacity in the "
        "locality with most",
        reason="Extra assessment capacity started later than planned",
    ),
    _Action(
        "FD-02",
        "front_door",
        "Refresh the threshold guidance with partners and review re-referrals each month at "
        "the front door",
        "Head of Service, Front Door",
        ("re_referrals_12m", "referral_nfa"),
        "Threshold guidance relaunched with partners; re-referrals within 12 months falling",
        "Partner briefings repeated for schools and health visitors",
        reason="Guidance held to include the partnership's new early help offer",
    ),
    _Action(
        "FD-03",
        "front_door",
        "Children seen, and seen alone, during every assessment, with their views recorded",
        "Principal Social Worker",
        ("assessment_child_seen",),
        "Audits find children seen and their views recorded in almost every assessment",
        "Practice guidance reissued with examples of recording children's views",
        reason="Guidance rewritten after feedback from the young people's panel",
    ),
    _Action(
        "PV-01",
        "child_protection",
        "Every child protection and child in need plan SMART and linked to the risks in the "
        "assessment; team managers check at each review",
        "Head of Service, Children and Families",
        ("cp_reviews_timely",),
        "Audits find more plans that are specific and linked to the assessed risks",
        "Plan-writing workshops for the teams with the weakest audit findings",
        reason="Workshops moved to follow the practice model training",
    ),
    _Action(
        "PV-02",
        "child_protection",
        "Visits to children on protection plans within 10 working days, purposeful and "
        "recorded with the child's own words",
        "Locality Director",
        ("cp_visits_10wd",),
        "Visits within 10 working days at target; audits find visits more purposeful",
        "Weekly list of visits due sent to every team manager",
        reason="Change to the visit recording form needed first in the case system",
    ),
    _Action(
        "CC-01",
        "children_in_care",
        "Health assessments and dental checks kept up to date with the children in care "
        "health team",
        "Designated Nurse for Children in Care",
        ("cla_health_assessment", "cla_dental_check"),
        "Health assessments up to date for more children; dental checks recovering",
        "Health partners add clinic sessions; social workers book checks at the review",
        reason="Health partners' clinic capacity reduced over the winter",
    ),
    _Action(
        "CC-02",
        "children_in_care",
        "Placement sufficiency strategy: recruit more in-house foster carers and reduce "
        "placement moves",
        "Head of Commissioning, Children's Services",
        ("cla_3plus_placements", "cla_foster_share"),
        "More in-house foster carers approved; fewer children with three or more moves",
        "Recruitment campaign extended; support offer for carers at risk of resigning",
        "Approve the revised foster carer fees and allowances",
        reason="Fees and allowances review needed first",
    ),
)

# (category, how many): the fixed mix described in the module docstring.
_MIX = (
    ("complete", 7),
    ("complete_redated", 2),
    ("overdue", 2),
    ("overdue_redated", 1),
    ("redated_on_track", 2),
    ("redated_at_risk", 2),
    ("at_risk", 2),
    ("on_track", 14),
)


def _month_end(as_of: dt.date, months: int) -> dt.date:
    year, index = divmod(as_of.year * 12 + as_of.month - 1 + months, 12)
    return dt.date(year, index + 1, calendar.monthrange(year, index + 1)[1])


def _long_date(date: dt.date) -> str:
    return f"{date.day} {date:%B %Y}"


def plan_register_rows(seed: int, as_of: dt.date) -> list[dict[str, str]]:
    """The demo register's rows (column name to text), in action order."""
    rng = np.random.default_rng([seed, PLAN_STREAM])
    # The off-track action is one with a decision the board could take about it.
    with_decision = [n for n, action in enumerate(ACTIONS) if action.decision]
    off_track = int(rng.choice(with_decision))
    others = [n for n in rng.permutation(len(ACTIONS)).tolist() if n != off_track]
    categories = {off_track: "off_track"}
    for category, count in _MIX:
        for _ in range(count):
            categories[others.pop(0)] = category
    for n in others:  # if ACTIONS grows, the extra ones are on track
        categories[n] = "on_track"
    decision_for_redate = True  # the first re-dated at-risk action asks the board to agree

    def months(low: int, high: int) -> int:
        return int(rng.integers(low, high + 1))

    rows = []
    for n, action in enumerate(ACTIONS):
        category = categories[n]
        row = dict.fromkeys(COLUMNS, "")
        row.update(
            action_id=action.action_id,
            priority_area=action.priority_area,
            action=action.action,
            owner=action.owner,
            linked_measures=";".join(action.measures),
            milestone="Y" if action.milestone else "N",
        )
        revised = None
        if category == "complete":
            due, status = _month_end(as_of, months(-9, -1)), COMPLETE
        elif category == "complete_redated":
            due, revised, status = _month_end(as_of, months(-10, -6)), months(-4, -1), COMPLETE
        elif category == "overdue":
            due, status = _month_end(as_of, months(-4, -1)), OFF_TRACK
        elif category == "overdue_redated":
            due, revised, status = _month_end(as_of, months(-8, -5)), months(-3, -1), AT_RISK
        elif category in ("redated_on_track", "redated_at_risk"):
            due, revised = _month_end(as_of, months(-3, 0)), months(2, 5)
            status = ON_TRACK if category == "redated_on_track" else AT_RISK
        elif category == "at_risk":
            due, status = _month_end(as_of, months(0, 3)), AT_RISK
        elif category == "off_track":
            due, status = _month_end(as_of, months(1, 3)), OFF_TRACK
        else:
            ahead = months(0, 9)
            due = _month_end(as_of, ahead)
            status = NOT_STARTED if ahead >= 4 and rng.random() < 0.5 else ON_TRACK
        row["due_date"] = due.isoformat()
        row["status"] = status
        revised_date = None if revised is None else _month_end(as_of, revised)
        if revised_date is not None:
            row["revised_date"] = revised_date.isoformat()
            row["revision_reason"] = action.reason
        if status == COMPLETE:
            row["evidence_of_impact"] = action.evidence
        if status in (AT_RISK, OFF_TRACK):
            row["remedial_action"] = action.remedial
        if category == "off_track":
            row["decision_needed"] = action.decision
        elif category == "redated_at_risk" and decision_for_redate and revised_date:
            row["decision_needed"] = (
                f"Agree the revised date of {_long_date(revised_date)} for this action"
            )
            decision_for_redate = False
        rows.append(row)
    return rows


def plan_register_csv(seed: int, as_of: dt.date) -> str:
    """The demo register as CSV text: a header row, then one row per action."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(plan_register_rows(seed, as_of))
    return buffer.getvalue()


def write_plan_register(path: str | Path, seed: int, as_of: dt.date) -> Path:
    """Write the demo register to ``path`` (folders created), replacing any file there in
    one step so a reader never sees half of it. Returns the path written.

    Only a demo register is replaced: if ``path`` holds any other file (the improvement
    team's own register, say, when the settings point at it), ``FileExistsError``.
    """
    path = Path(path)
    if path.exists() and not _is_demo_register(path):
        raise FileExistsError(
            f"{path}: holds a register that is not the demo's, so it is not replaced; "
            "write the demo register elsewhere (improvement generate --plan-register PATH)"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(plan_register_csv(seed, as_of), encoding="utf-8", newline="")
    os.replace(partial, path)
    return path


def _is_demo_register(path: Path) -> bool:
    """Whether the file is one this module wrote: the register's columns, the demo's ids."""
    try:
        records = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    except (OSError, UnicodeDecodeError):
        return False
    if not records or tuple(records[0]) != COLUMNS:
        return False
    ids = {record[0] for record in records[1:] if record}
    return ids == {action.action_id for action in ACTIONS}
