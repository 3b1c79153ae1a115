"""The county's improvement story: practice is poor around the Ofsted judgement, recovers
over the following two years, then holds.

Each trend is a generating probability (or rate) at its poor and its improved level; the
comment names the measure in ``measures.md`` it moves and the figure that measure shows.
Some differ from the figure because other parts of the data pull the measure too (for
example, re-referrals also come from children re-referred for other reasons).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

RECOVERY_DAYS = 730  # the judgement to the plateau


@dataclass(frozen=True)
class Trend:
    poor: float
    improved: float


TRENDS: dict[str, Trend] = {
    # assessments_45wd: 72 % -> 86 %.
    "assessment_within_45wd": Trend(0.72, 0.86),
    # icpc_15wd: 61 % -> 80 %.
    "icpc_within_15wd": Trend(0.625, 0.815),
    # re_referrals_12m: 19 % -> 14 %.
    "re_referral_within_12m": Trend(0.25, 0.175),
    # cp_repeat_ever: 26 % -> 20 %. Set high while poor because the six-year window hides
    # earlier plans for children re-referred around the judgement.
    "repeat_cp_plan": Trend(0.40, 0.19),
    # cla_3plus_placements: 13 % -> 10.5 % (placement moves per child-year).
    "placement_moves_per_year": Trend(0.64, 0.49),
    # cp_reviews_timely and cla_reviews_timely.
    "cp_review_on_time": Trend(0.84, 0.95),
    "cla_review_on_time": Trend(0.80, 0.93),
    # cp_visits_10wd and cla_visits_timely.
    "cp_visit_on_time": Trend(0.80, 0.93),
    "cla_visit_on_time": Trend(0.82, 0.94),
    # missing_rhi_offered.
    "return_interview_offered": Trend(0.70, 0.90),
    # Worker changes per allocated year (turnover 16 % -> 13.8 % and agency churn).
    "worker_changes_per_year": Trend(1.3, 0.8),
    # pre_proceedings_12w: weeks from letter to step-down or issue.
    "pre_proceedings_weeks": Trend(20.0, 15.0),
    # cl_suitable_accom (a current-state table, so only the as-at date matters): 74 % -> 90 %.
    "care_leaver_suitable": Trend(0.74, 0.91),
    # The local extension tables (extensions.py), each at the date the record starts.
    # care_proceedings_26w: 36 % -> 50 % concluded within 26 weeks of issue (MoJ: 36 %,
    # mean 38 weeks); the rest run on by an exponential overrun with this mean, in weeks.
    "care_proceedings_within_26w": Trend(0.30, 0.52),
    "care_proceedings_overrun_weeks": Trend(28.0, 16.0),
    # audits_good_plus: 21 % good or better, 11 % inadequate -> about half good or better.
    "audit_good_plus": Trend(0.21, 0.50),
    "audit_inadequate": Trend(0.11, 0.05),
    # audits_downgraded: 17 % of moderated audits go down a grade, fewer as auditors calibrate.
    "audit_downgraded": Trend(0.18, 0.14),
    # supervision_timely: a session follows within 28 days of the last; the share of
    # case-holding workers supervised in the last 28 days is then about 70 % -> 90 %.
    "supervision_on_time": Trend(0.52, 0.90),
    # turnover: social-worker leavers (FTE) in a year / FTE in post, 16 % -> 13.8 %.
    "turnover": Trend(0.16, 0.138),
    # Health passports (care-leaver priority): offered around the 18th birthday, and issued.
    "health_passport_offered": Trend(0.70, 0.97),
    "health_passport_issued": Trend(0.80, 0.94),
}


class Story:
    """Where practice stood on any day, relative to the judgement."""

    def __init__(self, judgement_day: int) -> None:
        self.judgement_day = judgement_day

    def progress(self, day: int) -> float:
        """0 until the judgement, rising evenly to 1 two years after it."""
        return min(max((day - self.judgement_day) / RECOVERY_DAYS, 0.0), 1.0)

    def level(self, trend: str, day: int) -> float:
        values = TRENDS[trend]
        return values.poor + (values.improved - values.poor) * self.progress(day)

    def levels(self, trend: str, days: np.ndarray) -> np.ndarray:
        """``level`` for an array of days at once."""
        values = TRENDS[trend]
        progress = np.clip(
            (np.asarray(days, dtype="float64") - self.judgement_day) / RECOVERY_DAYS, 0.0, 1.0
        )
        return values.poor + (values.improved - values.poor) * progress

    def care_leaver_suitable_share(self, as_of_day: int) -> float:
        """Current-state care-leaver accommodation: still poor for two years after the
        judgement, improved once the care-leaver service has been rebuilt."""
        values = TRENDS["care_leaver_suitable"]
        recovered = as_of_day >= self.judgement_day + RECOVERY_DAYS
        return values.improved if recovered else values.poor
