"""The local extension tables (``docs/local-extensions.md``): care proceedings, practice
audits, supervision, health passports, and social-worker starters and leavers.

SSD does not carry these, so a council fills them beside its SSD tables. The generator builds
them last, from the finished SSD tables (before the data faults are planted), with a random
stream of their own: adding them changes no SSD table. Each follows the county's story
(``story.py``); the ids they hold all resolve, except the leavers' professional ids, which by
design are not in ``ssd_professionals`` (it holds current staff only).

Dates are day numbers until ``assemble.finalise``, as everywhere in the generator.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from improvement.generator import assemble
from improvement.generator.codes import Weighted
from improvement.generator.dates import add_months, add_years
from improvement.generator.story import Story
from improvement.generator.workforce import (
    AGENCY_SHARE,
    FTE_CHOICES,
    FTE_WEIGHTS,
    TeamDirectory,
)
from improvement.ssd.schema import EXTENSION_TABLES

YEAR = 365.25
EXTENSION_STREAM = 3  # numpy streams: [seed, 1] the simulation, [seed, 2] assembly and faults

# Care proceedings: an interim care order starting from 30 days before to 180 days after a
# pre-proceedings issue date for the same child belongs to the proceedings that issue began.
ISSUE_BEFORE_ORDER_DAYS = 30
ISSUE_TO_ORDER_DAYS = 180
HOME_ORDERS = Weighted({"Supervision order": 45, "Child arrangements order": 30, "No order": 25})

# Practice audits: 125 a quarter at scale 1 (seed council), about half moderated.
AUDITS_PER_YEAR = 500.0
AUDIT_GRADES = ("Inadequate", "Requires improvement", "Good", "Outstanding")
P_OUTSTANDING = 0.08  # of the audits graded good or better
P_MODERATED = 0.5
P_UPGRADED = 0.03  # of moderated audits not already outstanding
AUDITOR_TITLES = ("Team Manager", "Practice Supervisor")

# Supervision: the next session within 28 days (policy) or late.
ON_TIME_GAP_DAYS = (20, 28)
LATE_GAP_DAYS = (29, 70)

# Workforce: team managers hold their posts through the window (every supervision names one).
TEAM_MANAGER = "Team Manager"
VACANCY_DAYS = (7, 90)
P_NO_VACANCY = 0.25  # the post is filled the day its holder leaves
LEAVING_REASONS = Weighted(
    {
        "Resigned - joined another local authority": 34,
        "Resigned - left social work": 12,
        "Resigned - moved to agency work": 14,
        "Retired": 9,
        "Career break": 6,
        "Moved to a non-case-holding role": 8,
        "End of fixed-term contract": 7,
        "Dismissed": 3,
        "Other": 7,
    }
)
AGENCY_LEAVING_REASONS = Weighted(
    {"End of agency assignment": 70, "Agency worker left early": 25, "Other": 5}
)

# Health passports: care leavers who missed one at 18 were offered one in the catch-up after
# the judgement (care-leaver services, priority 1).
OFFER_AROUND_18_DAYS = (-90, 60)
P_CATCH_UP = 0.7
CATCH_UP_DAYS = (60, 540)
ISSUE_AFTER_OFFER_DAYS = (7, 90)


def extension_tables(
    tables: dict[str, pd.DataFrame],
    story: Story,
    as_of: int,
    window_start: int,
    seed: int,
    scale: float,
    family_teams: dict[str, str],
) -> dict[str, pd.DataFrame]:
    """The five extension tables, built from the finished SSD tables.

    ``family_teams`` gives each child's Children and Families (or Disabled Children) team,
    for proceedings about a child with no allocation left in the window.
    """
    rngs = [np.random.default_rng([seed, EXTENSION_STREAM, k]) for k in range(5)]
    professionals = tables["ssd_professionals"]
    events, started = workforce_events(professionals, story, as_of, window_start, rngs[0])
    frames = {
        "ext_care_proceedings": care_proceedings(
            tables, story, as_of, window_start, family_teams, rngs[1]
        ),
        "ext_practice_audits": practice_audits(
            tables, started, story, as_of, window_start, scale, rngs[2]
        ),
        "ext_supervision": supervision(tables, story, as_of, window_start, rngs[3]),
        "ext_health_passports": health_passports(tables, story, as_of, rngs[4]),
        "ext_workforce_events": events,
    }
    return {name: assemble.finalise(name, frames[name]) for name in EXTENSION_TABLES}


# ---------------------------------------------------------------- workforce


def workforce_events(
    professionals: pd.DataFrame,
    story: Story,
    as_of: int,
    window_start: int,
    rng: np.random.Generator,
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Starters and leavers in the window, and the start day of each current starter.

    Each year back from the as-at date, the story's turnover share of the posts (registered
    social workers and personal advisers, team managers apart) change holder on a random day:
    the holder leaves, and after a vacancy the next one starts. The count is rounded from the
    story rather than drawn, so a year's turnover lands on the story, not a few points off;
    it is raised so that turnover over all registered FTE (team managers included) hits it.
    Following each post back from its current holder gives the chain of earlier holders, all
    leavers; the earliest was in post before the window opened.
    """
    registered = professionals["prof_social_worker_registration_no"].notna()
    manager = professionals["prof_professional_job_title"] == TEAM_MANAGER
    fte = professionals["prof_full_time_equivalency"]
    uplift = float(fte[registered].sum() / fte[registered & ~manager].sum())
    posts = professionals[~manager].reset_index(drop=True)

    changes: list[tuple[int, int, bool]] = []  # (post, leaving day, leaver was agency)
    for social_worker in (True, False):
        group = np.flatnonzero(
            posts["prof_social_worker_registration_no"].notna().to_numpy() == social_worker
        )
        high = as_of
        while high > window_start:
            low = max(add_months(high, -12), window_start)
            rate = story.level("turnover", (low + high) // 2) * uplift
            count = min(round(rate * len(group) * (high - low) / YEAR), len(group))
            chosen = rng.choice(group, size=count, replace=False)
            days = _weekday(rng.integers(low + 1, high + 1, size=count))
            agency = np.zeros(count, dtype=bool)
            agency[rng.permutation(count)[: round(AGENCY_SHARE * count)]] = True
            changes += [
                (int(post), int(day), bool(flag))
                for post, day, flag in zip(chosen, days, agency, strict=True)
                if day > window_start
            ]
            high = low

    events: list[dict] = []
    started: dict[str, int] = {}
    by_post: dict[int, list[tuple[int, bool]]] = {}
    for post, day, agency in changes:
        by_post.setdefault(post, []).append((day, agency))
    for index, post in enumerate(posts.itertuples(index=False)):
        social_worker = "Y" if post.prof_social_worker_registration_no is not None else "N"
        holder = {
            "id": post.prof_professional_id,
            "agency": post.prof_agency_worker_flag,
            "fte": float(post.prof_full_time_equivalency),
        }
        holder_until = as_of + 1
        for left, agency in sorted(by_post.get(index, []), reverse=True):
            vacancy = 0 if rng.random() < P_NO_VACANCY else int(rng.integers(*VACANCY_DAYS))
            start = max(_weekday(min(left + vacancy, holder_until - 1)), left)
            events.append(_event(holder, "Starter", start, social_worker, post, None))
            if holder["id"] == post.prof_professional_id:
                started[holder["id"]] = start
            holder = {
                "id": f"#{len(events)}",  # numbered below, once every leaver is known
                "agency": "Y" if agency else "N",
                "fte": float(rng.choice(FTE_CHOICES, p=FTE_WEIGHTS)),
            }
            reasons = AGENCY_LEAVING_REASONS if agency else LEAVING_REASONS
            events.append(
                _event(holder, "Leaver", left, social_worker, post, reasons.pick(rng.random()))
            )
            holder_until = left

    table = pd.DataFrame(events)
    table = table.sort_values(["day", "order", "id"], kind="stable").reset_index(drop=True)
    first_number = int(professionals["prof_professional_id"].str[1:].astype(int).max()) + 1
    leaver_keys = table.loc[table["type"] == "Leaver", "id"].tolist()
    numbers = {key: f"W{first_number + k:05d}" for k, key in enumerate(leaver_keys)}
    ids = table["id"].map(lambda key: numbers.get(key, key))
    frame = assemble.frame(
        "ext_workforce_events",
        {
            "wfev_event_id": [f"WFEV{n:07d}" for n in range(1, len(table) + 1)],
            "wfev_professional_id": ids.tolist(),
            "wfev_event_type": table["type"].tolist(),
            "wfev_event_date": table["day"].astype("int64").tolist(),
            "wfev_social_worker": table["social_worker"].tolist(),
            "wfev_agency_flag": table["agency"].tolist(),
            "wfev_full_time_equivalency": table["fte"].tolist(),
            "wfev_team": table["team"].tolist(),
            "wfev_reason": table["reason"].tolist(),
        },
    )
    return frame, started


def _event(
    holder: dict, kind: str, day: int, social_worker: str, post: tuple, reason: str | None
) -> dict:
    return {
        "id": holder["id"],
        "type": kind,
        "day": day,
        "order": 0 if kind == "Leaver" else 1,
        "social_worker": social_worker,
        "agency": holder["agency"],
        "fte": holder["fte"],
        "team": post.prof_professional_department,
        "reason": reason,
    }


# ---------------------------------------------------------------- supervision


def supervision(
    tables: dict[str, pd.DataFrame],
    story: Story,
    as_of: int,
    window_start: int,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Sessions for every registered social worker who holds cases, with their team's manager,
    from their first allocation in the window (or from before the window opens) onwards.

    Supervision follows ``ssd_involvements``, not the starter dates in the workforce events:
    the generator, like the SSD it fills, names current staff on all of a case's history, so a
    worker can hold cases (and be supervised) before the starter event that filled their post.
    """
    professionals = tables["ssd_professionals"]
    involvements = tables["ssd_involvements"]
    allocated = involvements[involvements["invo_referral_id"].notna()]
    first_case = (
        pd.Series(
            _days(allocated["invo_involvement_start_date"]),
            index=allocated["invo_professional_id"].to_numpy(),
        )
        .groupby(level=0)
        .min()
    )
    case_holding = professionals[
        professionals["prof_social_worker_registration_no"].notna()
        & professionals["prof_professional_id"].isin(first_case.index)
    ]
    managers = professionals[professionals["prof_professional_job_title"] == TEAM_MANAGER]
    manager_of = dict(
        zip(managers["prof_professional_department"], managers["prof_professional_id"], strict=True)
    )
    rows: dict[str, list] = {"worker": [], "team": [], "day": []}
    for worker, team in zip(
        case_holding["prof_professional_id"],
        case_holding["prof_professional_department"],
        strict=True,
    ):
        first = int(first_case[worker])
        day = _weekday(max(first + int(rng.integers(0, 15)), window_start - 40))
        while day <= as_of:
            if day >= window_start:
                rows["worker"].append(worker)
                rows["team"].append(team)
                rows["day"].append(day)
            on_time = rng.random() < story.level("supervision_on_time", day)
            gap = ON_TIME_GAP_DAYS if on_time else LATE_GAP_DAYS
            day = _weekday(day + int(rng.integers(gap[0], gap[1] + 1)))
    sessions = pd.DataFrame(rows).sort_values(["day", "worker"], kind="stable")
    return assemble.frame(
        "ext_supervision",
        {
            "supv_supervision_id": [f"SUPV{n:07d}" for n in range(1, len(sessions) + 1)],
            "supv_professional_id": sessions["worker"].tolist(),
            "supv_supervisor_id": sessions["team"].map(manager_of).tolist(),
            "supv_supervision_date": sessions["day"].tolist(),
            "supv_team": sessions["team"].tolist(),
        },
    )


# ---------------------------------------------------------------- practice audits


def practice_audits(
    tables: dict[str, pd.DataFrame],
    started: dict[str, int],
    story: Story,
    as_of: int,
    window_start: int,
    scale: float,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Audits of children's open cases, graded, about half moderated by another manager."""
    involvements = tables["ssd_involvements"]
    allocated = involvements[involvements["invo_referral_id"].notna()]
    starts = _days(allocated["invo_involvement_start_date"])
    ends = np.nan_to_num(_days(allocated["invo_involvement_end_date"]), nan=np.inf)
    people = allocated["invo_person_id"].to_numpy()
    teams = allocated["invo_professional_team"].to_numpy()

    professionals = tables["ssd_professionals"]
    auditors = professionals[professionals["prof_professional_job_title"].isin(AUDITOR_TITLES)]
    auditor_ids = auditors["prof_professional_id"].to_numpy()
    auditor_teams = auditors["prof_professional_department"].to_numpy()
    auditor_from = np.array([started.get(a, -np.inf) for a in auditor_ids], dtype="float64")

    count = int(rng.poisson(AUDITS_PER_YEAR * scale * (as_of - window_start) / YEAR))
    days = np.sort(_weekday(rng.integers(window_start, as_of + 1, size=count)))
    days = days[days >= window_start]
    audited = np.ones(len(days), dtype=bool)
    chosen_person, chosen_team, chosen_auditor = [], [], []
    for index, day in enumerate(days):
        open_cases = np.flatnonzero((starts <= day) & (ends > day))
        if len(open_cases) == 0:
            audited[index] = False
            continue
        case = open_cases[rng.integers(len(open_cases))]
        eligible = np.flatnonzero((auditor_from <= day) & (auditor_teams != teams[case]))
        chosen_person.append(people[case])
        chosen_team.append(teams[case])
        chosen_auditor.append(auditor_ids[eligible[rng.integers(len(eligible))]])

    days = days[audited]
    count = len(days)
    good_plus = story.levels("audit_good_plus", days)
    inadequate = story.levels("audit_inadequate", days)
    draw = rng.random(count)
    rank = np.where(draw < inadequate, 0, np.where(draw < 1 - good_plus, 1, 2))
    rank = rank + ((rank == 2) & (rng.random(count) < P_OUTSTANDING))

    moderation_day = _weekday(days + rng.integers(7, 36, size=count))
    moderated = (rng.random(count) < P_MODERATED) & (moderation_day <= as_of)
    # Downgrades among the grades that can go down, so that the share of all moderated
    # audits downgraded is the story's.
    down = story.levels("audit_downgraded", days) / (1 - inadequate)
    change = rng.random(count)
    step = np.where(
        (rank > 0) & (change < down), -1, np.where((rank < 3) & (change > 1 - P_UPGRADED), 1, 0)
    )
    grades = np.array(AUDIT_GRADES, dtype=object)
    return assemble.frame(
        "ext_practice_audits",
        {
            "paud_audit_id": [f"PAUD{n:07d}" for n in range(1, count + 1)],
            "paud_person_id": chosen_person,
            "paud_team": chosen_team,
            "paud_auditor_id": chosen_auditor,
            "paud_audit_date": days.tolist(),
            "paud_grade": grades[rank].tolist(),
            "paud_moderated": np.where(moderated, "Y", "N").tolist(),
            "paud_moderated_grade": np.where(moderated, grades[rank + step], None).tolist(),
            "paud_moderation_date": [
                int(d) if m else None for d, m in zip(moderation_day, moderated, strict=True)
            ],
        },
    )


# ---------------------------------------------------------------- care proceedings


def care_proceedings(
    tables: dict[str, pd.DataFrame],
    story: Story,
    as_of: int,
    window_start: int,
    family_teams: dict[str, str],
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Section 31 proceedings: one behind every interim care order (C1) in the legal
    statuses, and one for every pre-proceedings case that went to issue without one.

    Issue is up to a week before the interim order (or the pre-proceedings issue date). The
    length follows the story; an order still open at the as-at date keeps its proceedings
    open, and proceedings that would run past the as-at date although the interim order has
    ended in SSD conclude on the day it ended. The team is the one holding the child's case
    at issue.
    """
    orders = _interim_orders(tables)
    issued = _issued_pre_proceedings(tables)

    # Pair each pre-proceedings issue with the child's first unclaimed interim order nearby.
    court_reference = np.full(len(orders), None, dtype=object)
    issue = orders["start"].to_numpy() - rng.integers(0, 8, size=len(orders))
    claimed = np.zeros(len(orders), dtype=bool)
    standalone = []
    by_person = orders.groupby("person").indices
    for row in issued.itertuples(index=False):
        match = None
        for index in by_person.get(row.person, ()):
            gap = orders["start"].iat[index] - row.day
            if not claimed[index] and -ISSUE_BEFORE_ORDER_DAYS <= gap <= ISSUE_TO_ORDER_DAYS:
                match = index
                break
        if match is None:
            standalone.append(row)
            continue
        claimed[match] = True
        court_reference[match] = row.reference
        issue[match] = min(int(issue[match]), row.day)
    issue = _weekday(issue)

    home = pd.DataFrame(standalone, columns=["person", "day", "reference"])
    person = np.concatenate([orders["person"].to_numpy(), home["person"].to_numpy()])
    issue = np.concatenate([issue, _weekday(home["day"].to_numpy(dtype="int64"))])
    court_reference = np.concatenate([court_reference, home["reference"].to_numpy()])
    order_type = np.concatenate(
        [
            orders["final_order"].to_numpy(),
            [HOME_ORDERS.pick(u) for u in rng.random(len(home))],
        ]
    )
    order_open = np.concatenate([orders["end"].isna().to_numpy(), np.zeros(len(home), bool)])
    order_end = np.concatenate(
        [orders["end"].fillna(-1).to_numpy(dtype="int64"), np.full(len(home), -1)]
    )

    length = _proceedings_length(story, issue, rng)
    # Courts sit on weekdays: a short case concludes the Friday before a weekend, a long one
    # the Monday after, so neither crosses the 26-week line.
    final = np.where(length <= 182, _weekday(issue + length), _next_weekday(issue + length))
    final = np.where((final > as_of) & (order_end >= 0), order_end, final)
    concluded = ~order_open & (final <= as_of)
    keep = ~concluded | (final >= window_start)
    for index in np.flatnonzero(pd.isna(order_type)):
        order_type[index] = HOME_ORDERS.pick(rng.random())

    missing = pd.isna(court_reference)
    court_reference[missing] = _court_references(int(missing.sum()), set(issued["reference"]), rng)
    result = pd.DataFrame(
        {
            "person": person,
            "issue": issue,
            "final": np.where(concluded, final, -1),
            "type": np.where(concluded, order_type, None),
            "reference": court_reference,
        }
    )[keep]
    result = result.sort_values(["issue", "person"], kind="stable").reset_index(drop=True)
    team = _team_on(tables["ssd_involvements"], result["person"], result["issue"])
    result["team"] = np.where(pd.isna(team), result["person"].map(family_teams), team)
    return assemble.frame(
        "ext_care_proceedings",
        {
            "cpro_proceedings_id": [f"CPRO{n:07d}" for n in range(1, len(result) + 1)],
            "cpro_person_id": result["person"].tolist(),
            "cpro_court_reference": result["reference"].tolist(),
            "cpro_issue_date": result["issue"].astype("int64").tolist(),
            "cpro_final_order_date": [int(d) if d >= 0 else None for d in result["final"]],
            "cpro_final_order_type": result["type"].tolist(),
            "cpro_team": result["team"].tolist(),
        },
    )


def _interim_orders(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Every interim care order (C1), with the final order what followed it suggests:
    a placement order (E1), a full care order (C2) or, where the child left care,
    the special guardianship or child arrangements order that ended care, if any."""
    statuses = tables["ssd_legal_status"]
    frame = pd.DataFrame(
        {
            "person": statuses["lega_person_id"].to_numpy(),
            "code": statuses["lega_legal_status"].to_numpy(),
            "start": _days(statuses["lega_legal_status_start_date"]),
            "end": _days(statuses["lega_legal_status_end_date"]),
        }
    ).sort_values(["person", "start"], kind="stable")
    frame["next"] = frame.groupby("person")["code"].shift(-1)
    frame["next_start"] = frame.groupby("person")["start"].shift(-1)
    orders = frame[frame["code"] == "C1"].reset_index(drop=True)
    followed = orders["next_start"] == orders["end"]

    permanence = tables["ssd_permanence"]
    lasting = permanence[
        permanence["perm_permanence_order_type"].isin(
            ["Special guardianship order", "Child arrangements order"]
        )
    ]
    ended_by = dict(
        zip(
            zip(
                lasting["perm_person_id"],
                _days(lasting["perm_permanence_order_date"]),
                strict=True,
            ),
            lasting["perm_permanence_order_type"],
            strict=True,
        )
    )
    left_with = [ended_by.get((p, e)) for p, e in zip(orders["person"], orders["end"], strict=True)]
    final_order = pd.Series(left_with, dtype=object)
    final_order[(followed & (orders["next"] == "C2")).to_numpy()] = "Care order"
    final_order[(followed & (orders["next"] == "E1")).to_numpy()] = "Placement order"
    orders["final_order"] = final_order.to_numpy()
    orders["start"] = orders["start"].astype("int64")
    orders["end"] = orders["end"].astype("Int64")
    return orders[["person", "start", "end", "final_order"]]


def _issued_pre_proceedings(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    pre = tables["ssd_pre_proceedings"]
    issued = pre[pre["prep_pre_pro_outcome"] == "Issue care proceedings"]
    return pd.DataFrame(
        {
            "person": issued["prep_person_id"].to_numpy(),
            "day": _days(issued["prep_agree_stepdown_issue_date"]).astype("int64"),
            "reference": issued["prep_court_reference"].to_numpy(),
        }
    ).sort_values(["day", "person"], kind="stable")


def _proceedings_length(story: Story, issue: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Days from issue to final order: within 26 weeks at the story's rate (mostly 16-26
    weeks), otherwise 26 weeks and an exponential overrun (capped at a year)."""
    count = len(issue)
    due = issue + 182  # the story at the 26-week mark, when the case should conclude
    within = rng.random(count) < story.levels("care_proceedings_within_26w", due)
    short_weeks = 26 - 16 * rng.random(count) ** 1.4
    overrun = rng.exponential(story.levels("care_proceedings_overrun_weeks", due))
    short = np.floor(short_weeks * 7)
    long = 182 + np.ceil(np.clip(overrun, 1 / 7, 52) * 7)
    return np.where(within, short, long).astype("int64")


def _court_references(count: int, taken: set, rng: np.random.Generator) -> list[str]:
    """Family court case numbers in the pre-proceedings table's shape, none repeated."""
    free = [n for n in range(10000, 100000) if f"ZZ{n}C" not in taken]
    picked = rng.choice(len(free), size=count, replace=False)
    return [f"ZZ{free[k]}C" for k in picked]


# ---------------------------------------------------------------- health passports


def health_passports(
    tables: dict[str, pd.DataFrame], story: Story, as_of: int, rng: np.random.Generator
) -> pd.DataFrame:
    """Health passports of current care leavers aged 18 or over: offered around the 18th
    birthday (or in the catch-up after the judgement), most then issued."""
    leavers = tables["ssd_care_leavers"]["clea_person_id"]
    birth = tables["ssd_person"].set_index("pers_person_id")["pers_dob"]
    dob = _days(leavers.map(birth)).astype("int64")
    eighteenth = np.array([add_years(int(d), 18) for d in dob], dtype="int64")
    adult = eighteenth <= as_of
    people, eighteenth = leavers.to_numpy()[adult], eighteenth[adult]
    count = len(people)

    on_time = rng.random(count) < story.levels("health_passport_offered", eighteenth)
    offered = eighteenth + rng.integers(*OFFER_AROUND_18_DAYS, size=count)
    late = offered > as_of
    offered[late] = eighteenth[late] + np.floor(
        rng.random(int(late.sum())) * (as_of - eighteenth[late] + 1)
    ).astype("int64")
    catch_up = np.maximum(eighteenth, story.judgement_day) + rng.integers(
        *CATCH_UP_DAYS, size=count
    )
    caught_up = ~on_time & (rng.random(count) < P_CATCH_UP) & (catch_up <= as_of)
    offered = _weekday(np.where(on_time, offered, catch_up))
    keep = on_time | caught_up

    issued = _weekday(offered + rng.integers(*ISSUE_AFTER_OFFER_DAYS, size=count))
    is_issued = (rng.random(count) < story.levels("health_passport_issued", offered)) & (
        issued <= as_of
    )
    passports = pd.DataFrame(
        {"person": people, "offered": offered, "issued": np.where(is_issued, issued, -1)}
    )[keep].sort_values(["offered", "person"], kind="stable")
    return assemble.frame(
        "ext_health_passports",
        {
            "hpas_passport_id": [f"HPAS{n:07d}" for n in range(1, len(passports) + 1)],
            "hpas_person_id": passports["person"].tolist(),
            "hpas_offered_date": passports["offered"].tolist(),
            "hpas_issued_date": [int(d) if d >= 0 else None for d in passports["issued"]],
        },
    )


# ---------------------------------------------------------------- helpers


def _days(values: pd.Series) -> np.ndarray:
    """Datetimes as day numbers (float, NaN where missing)."""
    days = values.to_numpy(dtype="datetime64[D]").astype("int64").astype("float64")
    days[values.isna().to_numpy()] = np.nan
    return days


def _weekday(days):
    """A Saturday or Sunday moved back to the Friday (day 0, 1970-01-01, was a Thursday)."""
    days = np.asarray(days, dtype="int64")
    weekday = (days + 3) % 7  # Monday 0
    moved = days - np.maximum(weekday - 4, 0)
    return int(moved) if moved.ndim == 0 else moved


def _next_weekday(days: np.ndarray) -> np.ndarray:
    """A Saturday or Sunday moved on to the Monday."""
    weekday = (days + 3) % 7
    return days + np.where(weekday >= 5, 7 - weekday, 0)


def family_teams(children: list, directory: TeamDirectory) -> dict[str, str]:
    """Each child's own Children and Families team (Disabled Children for disabled children)."""
    return {
        child.person_id: (
            directory.disabled_children
            if child.disabled
            else directory.families[child.locality][child.family_team]
        )
        for child in children
    }


def _team_on(involvements: pd.DataFrame, people: pd.Series, days: pd.Series) -> np.ndarray:
    """The team of the child's latest allocation starting on or before each day (or the
    first one after it, for a child not yet allocated then)."""
    allocated = involvements[involvements["invo_referral_id"].notna()]
    held = pd.DataFrame(
        {
            "person": allocated["invo_person_id"].to_numpy(),
            "start": _days(allocated["invo_involvement_start_date"]).astype("int64"),
            "team": allocated["invo_professional_team"].to_numpy(),
        }
    ).sort_values("start", kind="stable")
    query = pd.DataFrame(
        {"row": np.arange(len(people)), "person": people.to_numpy(), "day": days.to_numpy()}
    ).astype({"day": "int64"})
    query = query.sort_values("day", kind="stable")
    found = {}
    for direction in ("backward", "forward"):
        match = pd.merge_asof(
            query,
            held,
            left_on="day",
            right_on="start",
            by="person",
            direction=direction,
        ).sort_values("row")
        found[direction] = match["team"].to_numpy()
    backward = pd.Series(found["backward"], dtype=object)
    return backward.where(backward.notna(), pd.Series(found["forward"], dtype=object)).to_numpy()
