"""Every child's referrals and what followed, simulated one child at a time.

A child arrives with a first referral; each referral follows a pathway (no further action,
assessment, child-in-need plan, section 47 enquiry, conference, protection plan, care)
decided when it arrives and then given dates with the county's working-day calendar and
its improvement story. When a case closes the child may be referred again.

The simulation starts long before the six-year window so that the window opens on a
steady state: children who came into care as babies fifteen years ago are still in care,
and care leavers who left at 18 eight years ago are still owed support. Before the
burn-in years only referrals that end in care are simulated, since nothing else from
that long ago survives into the extract.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, replace

import numpy as np

from improvement.generator import codes
from improvement.generator.codes import Weighted
from improvement.generator.dates import WorkingDays, add_months, add_years
from improvement.generator.story import Story
from improvement.generator.workforce import ALLOCATED_SOCIAL_WORKER, TeamDirectory
from improvement.ssd.schema import SSD_TABLES

YEAR = 365.25
MONTH = YEAR / 12
HISTORY_YEARS = 26
BURN_IN_YEARS = 4

# Arrivals per year at scale 1: first referrals of children new to social care, children
# arriving from another authority on a protection plan, unaccompanied asylum-seeking
# children, and disabled children starting agreed short breaks.
ARRIVALS_PER_YEAR = {
    "new": 3560.0,
    "transfer_in": 22.0,
    "unaccompanied": 24.0,
    "short_breaks": 13.0,
}
FIRST_REFERRAL_AGE_BANDS = ((0, 1), (1, 5), (5, 10), (10, 16), (16, 17.6))
FIRST_REFERRAL_AGE = Weighted({"0": 12, "1": 20, "2": 24, "3": 33, "4": 11})

# Pathway probabilities (each conditional on reaching that point).
P_NFA = 0.07  # seed council: 6.5 % England
P_S47 = 0.41  # about 2,000 enquiries a year
P_ICPC = 0.30  # about a third of enquiries reach a conference
P_CP_PLAN = 0.92
P_CP_TO_CARE = 0.13
P_CP_STEP_DOWN = 0.50
P_CIN_AFTER_ICPC = 0.50
P_EMERGENCY_CARE = 0.05
P_CIN_AFTER_S47 = 0.25
P_CIN_AFTER_ASSESSMENT = 0.24
P_CIN_TO_CARE = 0.06
P_CARE_FROM_ASSESSMENT = {False: 0.008, True: 0.04}  # keyed by "aged 12 or over"
# Babies and teenagers come into care more often than their share of referrals.
CARE_FACTOR_BY_AGE = ((1, 2.3), (5, 0.76), (10, 0.6), (16, 1.0), (18, 1.15))
P_LATER_REFERRAL = 0.12  # re-referred more than a year after the last referral
# Before the burn-in only referrals that end in care are simulated, at this share of the
# first-referral rate (about the share of all pathways that end in care).
P_FIRST_REFERRAL_INTO_CARE = 0.06

P_ICPC_BEFORE_S47 = 0.006  # recording slips: conference dated before the enquiry began
CP_PLAN_MEAN_MONTHS = 7.0
CP_PLAN_SHAPE = 2.7
P_CP_PLAN_LONG = 0.03  # plans that drift past two years
P_PLAN_ENDS_AT_REVIEW = 0.75
P_PRE_PROCEEDINGS = 0.45  # of neglect and multiple-category plans

# How a period of care ends, by age on entering care.
CARE_ROUTES = (
    (
        5,
        Weighted(
            {
                "adoption": 40,
                "special_guardianship": 15,
                "child_arrangements": 4,
                "home": 22,
                "adulthood": 16,
                "other_authority": 3,
            }
        ),
    ),
    (
        10,
        Weighted(
            {
                "special_guardianship": 15,
                "child_arrangements": 5,
                "home": 40,
                "adulthood": 37,
                "other_authority": 3,
            }
        ),
    ),
    (
        16,
        Weighted(
            {
                "special_guardianship": 4,
                "child_arrangements": 2,
                "home": 36,
                "adulthood": 55,
                "other_authority": 3,
            }
        ),
    ),
    (18, Weighted({"home": 20, "adulthood": 77, "other_authority": 3})),
)
P_ADOPTION_REVERSED = 0.05
ADOPTION_PLACED_DAYS = 400  # seed council: A1 399 days
P_MISSING_PRONE = 0.3

CARE_LEAVER_MIN_DAYS = 91  # looked after at least 13 weeks
P_CARE_LEAVER_22_PLUS = 0.85  # 22-25 year olds still taking up support


@dataclass
class Child:
    person_id: str
    dob: int
    sex: str
    ethnicity: str
    locality: int
    family_team: int
    disabled: bool
    adult_day: int
    unaccompanied: bool = False

    def age(self, day: int) -> float:
        return (day - self.dob) / YEAR


@dataclass(frozen=True)
class Pathway:
    """What a referral leads to, decided when it arrives and then given dates."""

    nfa: bool = False
    s47: bool = False
    icpc: bool = False
    cp_plan: bool = False
    cin_plan: bool = False
    care_from: str | None = None  # "s47", "assessment", "cp_plan", "cin_plan" or "arrival"
    transfer_in: bool = False


@dataclass(frozen=True)
class CaseEnd:
    close: int | None  # None while the case is still open at the as-at date
    cp_plan_end: int | None
    care_route: str | None


class Rows:
    """One SSD table's rows, collected column by column while the county is simulated."""

    def __init__(self, table: str) -> None:
        self.columns = tuple(c.name for c in SSD_TABLES[table].columns)
        self._known = frozenset(self.columns)
        self.data: dict[str, list] = {c: [] for c in self.columns}

    def add(self, **values: object) -> None:
        unknown = values.keys() - self._known
        if unknown:
            raise KeyError(f"not columns of this table: {sorted(unknown)}")
        for column in self.columns:
            self.data[column].append(values.get(column))

    def extend(self, count: int, **values: object) -> None:
        """Add ``count`` rows; each value is a sequence of that length or one repeated value."""
        for column in self.columns:
            value = values.get(column)
            if isinstance(value, np.ndarray | list):
                self.data[column].extend(value.tolist() if isinstance(value, np.ndarray) else value)
            else:
                self.data[column].extend([value] * count)


class Allocation:
    """The teams that held one case, as (first day, team) moves."""

    def __init__(self, first_day: int, team: str) -> None:
        self.moves: list[tuple[int, str]] = [(first_day, team)]

    def move(self, day: int, team: str) -> None:
        if team == self.moves[-1][1] or day < self.moves[-1][0]:
            return
        if day == self.moves[-1][0]:
            self.moves[-1] = (day, team)
        else:
            self.moves.append((day, team))


class CaseSimulator:
    """Simulates the county's cases and collects them as SSD rows (dates as day numbers)."""

    def __init__(
        self,
        seed: int,
        as_of: int,
        scale: float,
        teams: TeamDirectory,
        judgement: int | None = None,
    ) -> None:
        # Synthetic data, not security: a seeded generator is what makes it reproducible.
        self.rng = random.Random(seed)  # noqa: S311  # nosec B311
        self.np_rng = np.random.default_rng([seed, 1])
        self.scale = scale
        self.teams = teams
        self.as_of = as_of
        self.window_start = add_years(as_of, -6)
        self.judgement = add_months(self.window_start, 18) if judgement is None else judgement
        self.burn_in_start = add_years(self.window_start, -BURN_IN_YEARS)
        self.history_start = add_years(as_of, -HISTORY_YEARS)
        self.story = Story(self.judgement)
        self.workdays = WorkingDays(self.history_start - 60, add_years(as_of, 3))
        self.rows = {
            name: Rows(name)
            for name in SSD_TABLES
            if name
            not in (
                "ssd_person",
                "ssd_department",
                "ssd_professionals",
                "ssd_involvements",
                "ssd_contacts",
                "ssd_early_help_episodes",
                "ssd_care_leavers",
            )
        }
        self.children: list[Child] = []
        self.segments: dict[str, list] = {
            k: []
            for k in ("person_id", "referral_id", "team_id", "role", "start", "end", "end_reason")
        }
        self.early_help_starts: list[tuple[str, int]] = []
        self.care_leaver_candidates: list[tuple[Child, int]] = []
        self._counters: dict[str, int] = {}

    # ---------------------------------------------------------------- arrivals

    def run(self) -> None:
        """Simulate every arrival, in date order, to the as-at date."""
        streams = [
            ("new", self.history_start, self.burn_in_start),
            ("new", self.burn_in_start, self.as_of + 1),
            ("transfer_in", self.burn_in_start, self.as_of + 1),
            ("unaccompanied", self.history_start, self.as_of + 1),
            ("short_breaks", self.history_start, self.as_of + 1),
        ]
        arrivals: list[tuple[int, int]] = []
        for index, (kind, first, last) in enumerate(streams):
            rate = ARRIVALS_PER_YEAR[kind] * self.scale * (last - first) / YEAR
            if index == 0:
                rate *= P_FIRST_REFERRAL_INTO_CARE
            count = int(self.np_rng.poisson(rate))
            days = np.sort(self.np_rng.integers(first, last, size=count))
            arrivals.extend((int(day), index) for day in days)
        arrivals.sort()
        for day, stream in arrivals:
            if stream == 0:
                child = self._new_child(day, "new")
                self._life(child, day, self._pathway_into_care(child.age(day)))
            elif stream == 1:
                child = self._new_child(day, "new")
                self._life(child, day, self._draw_pathway(child.age(day)))
            elif stream == 2:
                child = self._new_child(day, "transfer_in")
                self._life(child, day, self._transfer_in_pathway(), source="5C")
            elif stream == 3:
                child = self._new_child(day, "unaccompanied")
                self._life(child, day, Pathway(care_from="arrival"), source="5D")
            else:
                self._short_breaks(self._new_child(day, "short_breaks"), day)

    def _new_child(self, day: int, kind: str) -> Child:
        rng = self.rng
        if kind == "unaccompanied":
            age_days = int((15 + 2.99 * rng.random() ** 0.6) * YEAR)
        elif kind == "short_breaks":
            age_days = int((4 + 11 * rng.random()) * YEAR)
        else:
            low, high = FIRST_REFERRAL_AGE_BANDS[int(FIRST_REFERRAL_AGE.pick(rng.random()))]
            age_days = int((low + (high - low) * rng.random()) * YEAR)
        dob = day - max(age_days, 1)
        male = rng.random() < (0.92 if kind == "unaccompanied" else 0.51)
        ethnicity_codes = codes.UASC_ETHNICITY if kind == "unaccompanied" else codes.ETHNICITY
        child = Child(
            person_id=self._id("P"),
            dob=dob,
            sex="M" if male else "F",
            ethnicity=ethnicity_codes.pick(rng.random()),
            locality=rng.randrange(4),
            family_team=rng.randrange(2),
            disabled=kind == "short_breaks" or rng.random() < 0.04,
            adult_day=add_years(dob, 18),
            unaccompanied=kind == "unaccompanied",
        )
        self.children.append(child)
        return child

    def contact_only_child(self, day: int) -> Child:
        """A child contacted about but never referred: a person row and nothing more."""
        return self._new_child(day, "new")

    def _life(self, child: Child, day: int, pathway: Pathway, source: str | None = None) -> None:
        """A child's referrals, one after another, until no further referral comes."""
        while True:
            end = self._referral(child, day, pathway, source)
            source = None
            follow_up = self._next_referral(child, day, end)
            if follow_up is None:
                return
            day, pathway = follow_up

    def _next_referral(self, child: Child, day: int, end: CaseEnd) -> tuple[int, Pathway] | None:
        rng = self.rng
        if end.close is None or end.care_route in ("adoption", "adulthood"):
            return None
        # Conference chairs' grip on drift and repeat plans (priority 3) came early in the
        # recovery, so repeat plans follow the story a year ahead of the plan's end.
        if end.cp_plan_end is not None and rng.random() < self.story.level(
            "repeat_cp_plan", end.cp_plan_end + 365
        ):
            next_day = max(end.cp_plan_end + rng.randint(30, 300), end.close + 14)
            pathway = Pathway(
                s47=True, icpc=True, cp_plan=True, cin_plan=rng.random() < P_CP_STEP_DOWN
            )
        else:
            latest_within_year = day + 364
            chance = rng.random()
            within_year = self.story.level("re_referral_within_12m", day + 180)
            if chance < within_year and end.close + 14 < latest_within_year:
                next_day = rng.randint(end.close + 14, latest_within_year)
            elif chance < within_year + P_LATER_REFERRAL:
                next_day = max(end.close + 30, day + 366) + rng.randint(0, 1100)
            else:
                return None
            pathway = None
        if next_day > self.as_of or next_day < self.burn_in_start or child.age(next_day) >= 17.6:
            return None
        return next_day, pathway or self._draw_pathway(child.age(next_day))

    # ---------------------------------------------------------------- pathways

    def _draw_pathway(self, age: float) -> Pathway:
        u = self.rng.random
        if u() < P_NFA:
            return Pathway(nfa=True)
        care = next(factor for upper, factor in CARE_FACTOR_BY_AGE if age < upper)
        if u() < P_S47:
            if u() < P_ICPC:
                if u() < P_CP_PLAN:
                    draw = u()
                    if draw < P_CP_TO_CARE * care:
                        return Pathway(s47=True, icpc=True, cp_plan=True, care_from="cp_plan")
                    return Pathway(
                        s47=True,
                        icpc=True,
                        cp_plan=True,
                        cin_plan=draw < P_CP_TO_CARE * care + P_CP_STEP_DOWN,
                    )
                return self._maybe_cin_plan(Pathway(s47=True, icpc=True), P_CIN_AFTER_ICPC, care)
            if u() < P_EMERGENCY_CARE * care:
                return Pathway(s47=True, care_from="s47")
            return self._maybe_cin_plan(Pathway(s47=True), P_CIN_AFTER_S47, care)
        if u() < P_CARE_FROM_ASSESSMENT[age >= 12] * care:
            return Pathway(care_from="assessment")
        return self._maybe_cin_plan(Pathway(), P_CIN_AFTER_ASSESSMENT, care)

    def _maybe_cin_plan(self, pathway: Pathway, chance: float, care: float) -> Pathway:
        if self.rng.random() >= chance:
            return pathway
        into_care = self.rng.random() < P_CIN_TO_CARE * care
        return replace(pathway, cin_plan=True, care_from="cin_plan" if into_care else None)

    def _pathway_into_care(self, age: float) -> Pathway:
        """A pathway that ends in care, for the years before the burn-in."""
        while True:
            pathway = self._draw_pathway(age)
            if pathway.care_from is not None:
                return pathway

    def _transfer_in_pathway(self) -> Pathway:
        draw = self.rng.random()
        return Pathway(
            icpc=True,
            cp_plan=True,
            transfer_in=True,
            cin_plan=P_CP_TO_CARE < draw < P_CP_TO_CARE + P_CP_STEP_DOWN,
            care_from="cp_plan" if draw < P_CP_TO_CARE else None,
        )

    # ---------------------------------------------------------------- one referral

    def _referral(self, child: Child, day: int, path: Pathway, source: str | None) -> CaseEnd:
        rng, as_of = self.rng, self.as_of
        referral_id = self._id("REF")
        allocation = Allocation(day, self._front_door(child))
        source = source or codes.REFERRAL_SOURCE.pick(rng.random())
        need = "N2" if child.disabled else ("N8" if child.unaccompanied else None)
        need = need or codes.PRIMARY_NEED.pick(rng.random())
        cp_plan_end = care_route = close_reason = None
        if path.nfa:
            close = day + rng.randint(0, 3)
            close_reason = "RC8" if rng.random() < 0.7 else "RC9"
        else:
            ends, cp_plan_end, care_route = self._services(
                child, referral_id, day, path, need, allocation
            )
            close = None if None in ends else max(ends) + rng.randint(0, 10)
        close = close if close is not None and close <= as_of else None
        if close is not None:
            close_reason = close_reason or self._close_reason(child, path, care_route)
            if close_reason == "RC9":
                self.early_help_starts.append((child.person_id, close))
        self.rows["ssd_cin_episodes"].add(
            cine_referral_id=referral_id,
            cine_person_id=child.person_id,
            cine_referral_date=day,
            cine_cin_primary_need_code=need,
            cine_referral_source_code=source,
            cine_referral_source_desc=codes.REFERRAL_SOURCES[source],
            cine_referral_outcome_json=codes.REFERRAL_OUTCOME_JSON[
                "nfa" if path.nfa else ("strategy" if path.s47 else "assessment")
            ],
            cine_referral_nfa="Y" if path.nfa else "N",
            cine_close_reason=close_reason if close is not None else None,
            cine_close_date=close,
        )
        self._record_allocation(child, referral_id, allocation, close)
        return CaseEnd(close, cp_plan_end, care_route)

    def _services(
        self,
        child: Child,
        referral_id: str,
        day: int,
        path: Pathway,
        need: str,
        allocation: Allocation,
    ) -> tuple[list[int | None], int | None, str | None]:
        """The assessment and whatever the pathway leads to.

        Returns each stage's end day (None while a stage is still running at the as-at
        date, which keeps the referral open), the protection plan's end and how care ended.
        """
        rng, wd, as_of = self.rng, self.workdays, self.as_of
        assessment_start = wd.add(day, rng.randint(0, 1))
        if assessment_start > as_of:
            return [None], None, None
        closes = not (path.s47 or path.cin_plan or path.cp_plan or path.care_from)
        ends = [self._assessment(child, referral_id, assessment_start, closes)]

        s47 = s47_start = None
        if path.s47:
            s47_start = wd.add(day, rng.randint(0, 2))
            if s47_start > as_of:
                return [*ends, None], None, None
        conference = self._conference(day, s47_start, path.transfer_in) if path.icpc else None
        if path.s47:
            s47 = self._s47(child, referral_id, s47_start, conference, path)
            ends.append(s47[2])
        plan_id = None
        if conference is not None:
            if conference[0] > as_of:
                return [*ends, None], None, None
            with_plan = path.cp_plan and conference[0] < child.adult_day
            plan_id = self._id("CPP") if with_plan else None
            self._icpc(child, referral_id, conference, s47, plan_id, path)
            ends.append(conference[0])

        care_start = None
        if path.care_from == "s47":
            care_start = s47_start + rng.randint(0, 2)
        elif path.care_from == "assessment":
            care_start = assessment_start + rng.randint(5, 40)
        elif path.care_from == "arrival":
            care_start = day + rng.randint(0, 2)

        cp_plan_end = None
        if plan_id is not None:
            allocation.move(conference[0], self._family_team(child))
            cp_plan_end = self._cp_plan(child, referral_id, conference[1], plan_id, conference[0])
            ends.append(cp_plan_end)
            next_start = cp_plan_end
            if path.care_from == "cp_plan":
                care_start = cp_plan_end
        else:
            next_start = None if None in ends else max(ends) + rng.randint(0, 7)

        if path.cin_plan and next_start is not None and next_start < child.adult_day:
            if next_start > as_of:
                ends.append(None)
            else:
                allocation.move(next_start, self._family_team(child))
                cin_plan_end = self._cin_plan(child, referral_id, next_start)
                ends.append(cin_plan_end)
                if path.care_from == "cin_plan":
                    care_start = cin_plan_end

        care_route = None
        if care_start is not None and care_start > as_of:
            ends.append(None)
        elif care_start is not None and care_start < child.adult_day:
            care_end, care_route = self._care_period(
                child, referral_id, care_start, path.care_from, need
            )
            ends.append(care_end)
            transfer = care_start + rng.randint(28, 90)
            if not child.disabled and (care_end is None or transfer < care_end):
                allocation.move(transfer, self.teams.permanence[child.locality])
        return ends, cp_plan_end, care_route

    def _close_reason(self, child: Child, path: Pathway, care_route: str | None) -> str:
        if care_route is not None:
            if care_route == "adulthood" and child.disabled:
                return "RC6"
            return codes.CIN_CLOSE_AFTER_CARE[care_route]
        if not (path.s47 or path.cin_plan or path.cp_plan):
            return "RC8" if self.rng.random() < 0.6 else "RC9"
        return "RC7" if self.rng.random() < 0.95 else "RC5"

    def _front_door(self, child: Child) -> str:
        if child.disabled:
            return self.teams.disabled_children
        return self.teams.initial_response[child.locality]

    def _family_team(self, child: Child) -> str:
        if child.disabled:
            return self.teams.disabled_children
        return self.teams.families[child.locality][child.family_team]

    def _record_allocation(
        self, child: Child, referral_id: str, allocation: Allocation, close: int | None
    ) -> None:
        moves = [
            m for m in allocation.moves if m[0] <= self.as_of and (close is None or m[0] < close)
        ]
        moves = moves or allocation.moves[:1]
        for index, (start, team) in enumerate(moves):
            last = index == len(moves) - 1
            end = close if last else moves[index + 1][0]
            reason = None
            if end is not None:
                reason = (
                    "Case closed"
                    if last
                    else (f"Transferred to {self.teams.by_id[moves[index + 1][1]].team_type}")
                )
            self._segment(
                child.person_id, referral_id, team, ALLOCATED_SOCIAL_WORKER, start, end, reason
            )

    def _segment(
        self,
        person_id: str,
        referral_id: str | None,
        team: str,
        role: str,
        start: int,
        end: int | None,
        reason: str | None,
    ) -> None:
        for key, value in (
            ("person_id", person_id),
            ("referral_id", referral_id),
            ("team_id", team),
            ("role", role),
            ("start", start),
            ("end", end),
            ("end_reason", reason),
        ):
            self.segments[key].append(value)

    # ---------------------------------------------------------------- assessment and S47

    def _assessment(self, child: Child, referral_id: str, start: int, closes: bool) -> int | None:
        rng = self.rng
        if rng.random() < self.story.level("assessment_within_45wd", start):
            length = int(45 - 40 * rng.random() ** 1.6)
        else:
            length = 46 + int(rng.expovariate(1 / 16))
        authorised = self.workdays.add(start, length)
        authorised = authorised if authorised <= self.as_of else None
        self.rows["ssd_cin_assessments"].add(
            cina_assessment_id=self._id("ASM"),
            cina_person_id=child.person_id,
            cina_referral_id=referral_id,
            cina_assessment_start_date=start,
            cina_assessment_child_seen="Y" if rng.random() < 0.93 else "N",
            cina_assessment_auth_date=authorised,
            cina_assessment_outcome_json=(
                '{"outcome": "No further action"}' if closes else '{"outcome": "Services"}'
            ),
            cina_assessment_outcome_nfa=("Y" if closes else "N") if authorised else None,
        )
        return authorised

    def _conference(self, day: int, s47_start: int | None, transfer_in: bool) -> tuple[int, str]:
        """The initial conference's day and id: timely or not as the story says."""
        rng = self.rng
        if transfer_in:
            held = self.workdays.add(day, rng.randint(5, 15))
        elif rng.random() < self.story.level("icpc_within_15wd", s47_start):
            held = self.workdays.add(s47_start, rng.randint(5, 15))
        else:
            held = self.workdays.add(s47_start, 16 + int(rng.expovariate(1 / 7)))
        return held, self._id("ICPC")

    def _s47(
        self,
        child: Child,
        referral_id: str,
        start: int,
        conference: tuple[int, str] | None,
        path: Pathway,
    ) -> tuple[str, int, int | None]:
        """Record the enquiry; returns its id, recorded start and end (None if still open)."""
        rng, as_of = self.rng, self.as_of
        end = self.workdays.add(start, rng.randint(5, 15))
        if conference is not None:
            end = min(end, conference[0])
            slipped = conference[0] + rng.randint(1, 10)
            if rng.random() < P_ICPC_BEFORE_S47 and slipped <= as_of:
                start, end = slipped, self.workdays.add(slipped, rng.randint(1, 5))
        end = end if end <= as_of else None
        closes = not (path.icpc or path.cin_plan or path.care_from)
        s47_id = self._id("S47E")
        self.rows["ssd_s47_enquiry"].add(
            s47e_s47_enquiry_id=s47_id,
            s47e_referral_id=referral_id,
            s47e_person_id=child.person_id,
            s47e_s47_start_date=start,
            s47e_s47_end_date=end,
            s47e_s47_nfa=("Y" if closes else "N") if end is not None else None,
            s47e_s47_outcome_json=(
                '{"outcome": "Initial child protection conference"}'
                if path.icpc
                else '{"outcome": "No further action"}'
                if closes
                else '{"outcome": "Continue assessment"}'
            ),
        )
        return s47_id, start, end

    def _icpc(
        self,
        child: Child,
        referral_id: str,
        conference: tuple[int, str],
        s47: tuple[str, int, int | None] | None,
        plan_id: str | None,
        path: Pathway,
    ) -> None:
        held, icpc_id = conference
        target = self.workdays.add(s47[1], 15) if s47 is not None else None
        self.rows["ssd_initial_cp_conference"].add(
            icpc_icpc_id=icpc_id,
            icpc_icpc_meeting_id=self._id("MTG"),
            icpc_s47_enquiry_id=s47[0] if s47 is not None else None,
            icpc_person_id=child.person_id,
            icpc_cp_plan_id=plan_id,
            icpc_referral_id=referral_id,
            icpc_icpc_transfer_in="Y" if path.transfer_in else "N",
            icpc_icpc_target_date=target if target is not None and target <= self.as_of else None,
            icpc_icpc_date=held,
            icpc_icpc_outcome_cp_flag="Y" if plan_id else "N",
            icpc_icpc_outcome_json=(
                '{"outcome": "Child protection plan"}' if plan_id else '{"outcome": "No plan"}'
            ),
        )

    # ---------------------------------------------------------------- plans

    def _cp_plan_length(self) -> int:
        rng = self.rng
        if rng.random() < P_CP_PLAN_LONG:
            return int((24 + 12 * rng.random()) * MONTH)
        months = rng.gammavariate(CP_PLAN_SHAPE, CP_PLAN_MEAN_MONTHS / CP_PLAN_SHAPE)
        return max(30, int(months * MONTH))

    def _cp_plan(
        self, child: Child, referral_id: str, icpc_id: str, plan_id: str, start: int
    ) -> int | None:
        rng, as_of = self.rng, self.as_of
        planned_end = min(start + self._cp_plan_length(), child.adult_day)
        ends_at_review = rng.random() < P_PLAN_ENDS_AT_REVIEW
        reviews = self.rows["ssd_cp_reviews"]
        end = None
        due = add_months(start, 3)
        while True:
            on_time = rng.random() < self.story.level("cp_review_on_time", due)
            held = due - rng.randint(0, 10) if on_time else due + rng.randint(1, 30)
            if held > child.adult_day or (not ends_at_review and held > planned_end):
                end = planned_end
                break
            if held > as_of:
                reviews.add(
                    cppr_person_id=child.person_id, cppr_cp_plan_id=plan_id, cppr_cp_review_due=due
                )
                break
            last = ends_at_review and held >= planned_end
            reviews.add(
                cppr_person_id=child.person_id,
                cppr_cp_plan_id=plan_id,
                cppr_cp_review_due=due,
                cppr_cp_review_date=held,
                cppr_cp_review_meeting_id=self._id("MTG"),
                cppr_cp_review_outcome_continue_cp="N" if last else "Y",
                cppr_cp_review_quorate="Y" if rng.random() < 0.95 else "N",
                cppr_cp_review_participation=self._participation(child, held),
            )
            if last:
                end = held
                break
            due = add_months(held, 6)
        end = end if end is not None and end <= as_of else None
        category = codes.CP_CATEGORY.pick(rng.random())
        self.rows["ssd_cp_plans"].add(
            cppl_cp_plan_id=plan_id,
            cppl_referral_id=referral_id,
            cppl_icpc_id=icpc_id,
            cppl_person_id=child.person_id,
            cppl_cp_plan_start_date=start,
            cppl_cp_plan_end_date=end,
            cppl_cp_plan_ola="N",
            cppl_cp_plan_initial_category=category,
            cppl_cp_plan_latest_category=(
                category if rng.random() < 0.9 else codes.CP_CATEGORY.pick(rng.random())
            ),
        )
        self._cp_visits(child, plan_id, start, end)
        if category in ("Neglect", "Multiple") and rng.random() < P_PRE_PROCEEDINGS:
            self._pre_proceedings(child, start, end)
        return end

    def _cp_visits(self, child: Child, plan_id: str, start: int, end: int | None) -> None:
        first = max(start, self.window_start - 30)
        last = end if end is not None else self.as_of
        if last <= first:
            return
        on_time = self.story.level("cp_visit_on_time", (first + last) // 2)
        days = self._visit_days(first, last, on_time, (4, 10), (11, 18), working=True)
        count = len(days)
        seen = self.np_rng.random(count) < 0.9
        self.rows["ssd_cp_visits"].extend(
            count,
            cppv_person_id=child.person_id,
            cppv_cp_plan_id=plan_id,
            cppv_cp_visit_date=days,
            cppv_cp_visit_seen=np.where(seen, "Y", "N").tolist(),
            cppv_cp_visit_seen_alone=self._seen_alone(child, days, seen),
            cppv_cp_visit_bedroom=np.where(self.np_rng.random(count) < 0.6, "Y", "N").tolist(),
        )

    def _cin_plan(self, child: Child, referral_id: str, start: int) -> int | None:
        rng = self.rng
        months = min(max(rng.lognormvariate(math.log(6.0), 0.6), 1.5), 30.0)
        end = min(start + int(months * MONTH), child.adult_day)
        end = end if end <= self.as_of else None
        self.rows["ssd_cin_plans"].add(
            cinp_cin_plan_id=self._id("CINP"),
            cinp_referral_id=referral_id,
            cinp_person_id=child.person_id,
            cinp_cin_plan_start_date=start,
            cinp_cin_plan_end_date=end,
        )
        first = max(start, self.window_start - 30)
        last = end if end is not None else self.as_of
        if last > first:
            days = self._visit_days(first, last, 0.85, (15, 30), (31, 45), working=True)
            count = len(days)
            seen = self.np_rng.random(count) < 0.9
            self.rows["ssd_cin_visits"].extend(
                count,
                cinv_person_id=child.person_id,
                cinv_cin_visit_date=days,
                cinv_cin_visit_seen=np.where(seen, "Y", "N").tolist(),
                cinv_cin_visit_seen_alone=self._seen_alone(child, days, seen),
                cinv_cin_visit_bedroom=np.where(self.np_rng.random(count) < 0.5, "Y", "N").tolist(),
            )
        return end

    def _pre_proceedings(self, child: Child, plan_start: int, plan_end: int | None) -> None:
        rng, as_of = self.rng, self.as_of
        decision = plan_start + rng.randint(60, 240)
        if decision > as_of or (plan_end is not None and decision >= plan_end):
            return
        letter = decision + rng.randint(3, 14)
        meeting = letter + rng.randint(5, 14)
        weeks = max(6.0, rng.gauss(self.story.level("pre_proceedings_weeks", letter), 5))
        concluded = letter + int(weeks * 7)
        issued = rng.random() < 0.4
        done = concluded <= as_of
        self.rows["ssd_pre_proceedings"].add(
            prep_table_id=self._id("PRE"),
            prep_person_id=child.person_id,
            prep_plo_family_id=self._id("FAM"),
            prep_pre_pro_decision_date=decision,
            prep_initial_pre_pro_meeting_date=meeting if meeting <= as_of else None,
            prep_pre_pro_outcome=(
                ("Issue care proceedings" if issued else "Step down") if done else None
            ),
            prep_agree_stepdown_issue_date=concluded if done else None,
            prep_cp_plans_referral_period=1,
            prep_legal_gateway_outcome="Enter pre-proceedings",
            prep_prev_pre_proc_child=0,
            prep_prev_care_proc_child=0,
            prep_pre_pro_letter_date=letter if letter <= as_of else None,
            prep_care_pro_letter_date=(concluded - rng.randint(7, 21)) if done and issued else None,
            prep_pre_pro_meetings_num=rng.randint(1, 4) if meeting <= as_of else 0,
            prep_pre_pro_parents_legal_rep="Y" if rng.random() < 0.9 else "N",
            prep_parents_legal_rep_point_of_issue=("Y" if done and issued else None),
            prep_court_reference=(f"ZZ{rng.randint(10000, 99999)}C" if done and issued else None),
            prep_care_proc_short_notice="N" if done and issued else None,
            prep_la_inital_plan_approved="Y" if done and issued else None,
            prep_la_initial_care_plan="Care order" if done and issued else None,
        )

    # ---------------------------------------------------------------- care

    def _care_route(self, age: float, entry: str) -> str:
        if entry == "arrival":
            return "adulthood" if self.rng.random() < 0.95 else "other_authority"
        routes = next(weights for upper, weights in CARE_ROUTES if age < upper)
        return routes.pick(self.rng.random())

    def _care_period(
        self, child: Child, referral_id: str, start: int, entry: str, need: str
    ) -> tuple[int | None, str]:
        rng, as_of = self.rng, self.as_of
        route = self._care_route(child.age(start), entry)
        placed_for_adoption = placement_order = reversed_day = None
        if route == "adoption":
            placed_for_adoption = start + max(180, int(rng.gauss(ADOPTION_PLACED_DAYS, 80)))
            placement_order = placed_for_adoption - rng.randint(40, 120)
            end = placed_for_adoption + max(90, int(rng.gauss(240, 60)))
            if rng.random() < P_ADOPTION_REVERSED:
                reversed_day = placement_order + rng.randint(60, 240)
                placed_for_adoption = None
                route = "adulthood"
                end = child.adult_day
        elif route == "home":
            end = start + max(7, int(rng.lognormvariate(math.log(150), 0.8)))
        elif route == "special_guardianship":
            end = start + max(120, int(rng.gauss(540, 150)))
        elif route == "child_arrangements":
            end = start + max(90, int(rng.gauss(450, 150)))
        elif route == "other_authority":
            end = start + rng.randint(30, 400)
        else:
            end = child.adult_day
            if child.age(start) < 17 and rng.random() < 0.15:
                end = max(add_years(child.dob, 16) + rng.randint(90, 700), start + 30)
        if end >= child.adult_day:
            end, route = child.adult_day, "adulthood"
        cla_id = self._id("CLA")
        open_end = end if end <= as_of else None
        statuses = self._legal_statuses(start, end, route, entry, placement_order)
        if reversed_day is not None and statuses[-1][1] == "E1":
            revoked = reversed_day + rng.randint(30, 120)
            if revoked < end and revoked <= as_of:
                statuses.append((revoked, "C2"))
        placements = self._placements(child, start, end, placed_for_adoption)
        exit_reason = codes.CARE_END_REASON[route].pick(rng.random())

        for index, (day, status) in enumerate(statuses):
            until = statuses[index + 1][0] if index + 1 < len(statuses) else open_end
            self.rows["ssd_legal_status"].add(
                lega_person_id=child.person_id,
                lega_legal_status=status,
                lega_legal_status_start_date=day,
                lega_legal_status_end_date=until,
            )
        placement_ids = []
        for index, (day, kind) in enumerate(placements):
            placement_id = self._id("PLC")
            placement_ids.append(placement_id)
            following = placements[index + 1] if index + 1 < len(placements) else None
            until = following[0] if following else open_end
            residential = kind in ("K1", "K2", "R1", "S1", "H5")
            self.rows["ssd_cla_placement"].add(
                clap_cla_placement_id=placement_id,
                clap_cla_id=cla_id,
                clap_person_id=child.person_id,
                clap_cla_placement_start_date=day,
                clap_cla_placement_type=kind,
                clap_cla_placement_urn=f"SC{rng.randint(100000, 999999)}" if residential else None,
                clap_cla_placement_distance=round(
                    rng.expovariate(1 / (25 if residential else 9)), 1
                ),
                clap_cla_placement_provider=(
                    "PR0" if kind == "P1" else codes.PLACEMENT_PROVIDER.pick(rng.random())
                ),
                clap_cla_placement_postcode=f"ZZ99 {rng.randint(1, 9)}ZZ",
                clap_cla_placement_end_date=until,
                clap_cla_placement_change_reason=(
                    (
                        "CARPL"
                        if following[1].startswith("A")
                        else codes.PLACEMENT_CHANGE_REASON.pick(rng.random())
                    )
                    if following
                    else None
                ),
            )
        reviews = self._cla_reviews(child, cla_id, start, open_end)
        self._episodes(
            child,
            cla_id,
            referral_id,
            need,
            start,
            open_end,
            exit_reason,
            statuses,
            placements,
            placement_ids,
            reviews,
        )
        self._cla_visits(child, cla_id, start, open_end, placements)
        self._health_checks(child, start, open_end)
        self._missing(child, start, open_end)
        if route in ("adoption", "special_guardianship", "child_arrangements") or reversed_day:
            self._permanence(
                child,
                cla_id,
                start,
                open_end,
                route,
                placement_order,
                placed_for_adoption,
                reversed_day,
                placements,
            )
        if (
            open_end is not None
            and child.age(end) >= 16
            and end - start >= CARE_LEAVER_MIN_DAYS
            and route != "other_authority"
        ):
            self.care_leaver_candidates.append((child, end))
        return open_end, route

    def _legal_statuses(
        self, start: int, end: int, route: str, entry: str, placement_order: int | None
    ) -> list[tuple[int, str]]:
        rng = self.rng
        if entry == "arrival":
            statuses = [(start, "V2")]
        elif entry == "s47":
            statuses = [(start, "L1" if rng.random() < 0.6 else "L2")]
            statuses.append((start + rng.randint(1, 8), "C1" if rng.random() < 0.75 else "V2"))
        else:
            statuses = [(start, "C1" if rng.random() < 0.55 else "V2")]
        long_stay = route in ("adoption", "adulthood", "special_guardianship")
        if statuses[-1][1] == "V2" and long_stay and entry != "arrival" and rng.random() < 0.5:
            statuses.append((statuses[-1][0] + rng.randint(30, 300), "C1"))
        if placement_order is not None and placement_order > statuses[-1][0]:
            statuses.append((placement_order, "E1"))
        elif statuses[-1][1] == "C1":
            statuses.append((statuses[-1][0] + max(60, int(rng.gauss(190, 50))), "C2"))
        return [item for item in statuses if item[0] < end and item[0] <= self.as_of]

    def _placement_type(self, child: Child, day: int, first: bool) -> str:
        age = child.age(day)
        weights = next(w for upper, w in codes.PLACEMENT_BY_AGE if age < upper)
        kind = weights.pick(self.rng.random())
        if kind == "foster":
            foster = codes.FIRST_FOSTER_TYPE if first else codes.LATER_FOSTER_TYPE
            kind = foster.pick(self.rng.random())
        return kind

    def _placements(
        self, child: Child, start: int, end: int, placed_for_adoption: int | None
    ) -> list[tuple[int, str]]:
        rng = self.rng
        stop = min(end, self.as_of + 1, placed_for_adoption or end)
        instability = rng.gammavariate(0.7, 1 / 0.7)
        placements = [(start, self._placement_type(child, start, first=True))]
        day = start
        while True:
            settled = 1.7 if day - start < YEAR else 0.7
            rate = self.story.level("placement_moves_per_year", day) * instability * settled
            day += max(1, int(rng.expovariate(rate) * YEAR))
            if day >= stop:
                break
            placements.append((day, self._placement_type(child, day, first=False)))
        if placed_for_adoption is not None and placed_for_adoption <= self.as_of:
            with_carer = rng.random() < 0.15
            consent = rng.random() < 0.1
            kind = ("A3" if with_carer else "A4") if consent else ("A5" if with_carer else "A6")
            placements.append((placed_for_adoption, kind))
        return placements

    def _episodes(
        self,
        child: Child,
        cla_id: str,
        referral_id: str,
        need: str,
        start: int,
        end: int | None,
        exit_reason: str,
        statuses: list[tuple[int, str]],
        placements: list[tuple[int, str]],
        placement_ids: list[str],
        review_days: list[int],
    ) -> None:
        status_days = [day for day, _ in statuses]
        placement_days = [day for day, _ in placements]
        changes = sorted({*status_days, *placement_days})
        for index, day in enumerate(changes):
            placement_index = max(i for i, d in enumerate(placement_days) if d <= day)
            if index == 0:
                reason = "S"
            elif day in placement_days and day in status_days:
                reason = "U" if placements[placement_index][1] in ("A3", "A5") else "T"
            elif day in placement_days:
                reason = "B" if placements[placement_index][1] in ("A3", "A5") else "P"
            else:
                reason = "L"
            ceased = changes[index + 1] if index + 1 < len(changes) else end
            seen_by = ceased if ceased is not None else self.as_of
            held = [r for r in review_days if r <= seen_by]
            self.rows["ssd_cla_episodes"].add(
                clae_cla_episode_id=self._id("EPI"),
                clae_person_id=child.person_id,
                clae_cla_placement_id=placement_ids[placement_index],
                clae_cla_episode_start_date=day,
                clae_cla_episode_start_reason=reason,
                clae_cla_primary_need_code=need,
                clae_cla_episode_ceased_date=ceased,
                clae_cla_episode_ceased_reason=(
                    None if ceased is None else ("X1" if index + 1 < len(changes) else exit_reason)
                ),
                clae_cla_id=cla_id,
                clae_referral_id=referral_id,
                clae_cla_last_iro_contact_date=held[-1] if held else None,
                clae_entered_care_date=start,
            )

    def _cla_reviews(self, child: Child, cla_id: str, start: int, end: int | None) -> list[int]:
        """Reviews: first within 20 working days, second within 3 months, then 6-monthly."""
        rng, as_of = self.rng, self.as_of
        rows = self.rows["ssd_cla_reviews"]
        held_days: list[int] = []
        due = self.workdays.add(start, 20)
        held_count = 0
        while end is None or due < end:
            on_time = rng.random() < self.story.level("cla_review_on_time", due)
            held = due - rng.randint(0, 10) if on_time else due + rng.randint(1, 25)
            held = max(held, start + 1)
            if end is not None and held >= end:
                break
            if held > as_of:
                rows.add(
                    clar_cla_id=cla_id,
                    clar_cla_person_id=child.person_id,
                    clar_cla_review_due_date=due,
                )
                break
            cancelled = rng.random() < 0.03
            rows.add(
                clar_cla_id=cla_id,
                clar_cla_person_id=child.person_id,
                clar_cla_review_due_date=due,
                clar_cla_review_date=held,
                clar_cla_review_cancelled="Y" if cancelled else "N",
                clar_cla_review_participation=(
                    None if cancelled else self._participation(child, held)
                ),
            )
            if cancelled:
                due = held + 28
                continue
            held_days.append(held)
            held_count += 1
            due = add_months(held, 3 if held_count == 1 else 6)
        return held_days

    def _cla_visits(
        self,
        child: Child,
        cla_id: str,
        start: int,
        end: int | None,
        placements: list[tuple[int, str]],
    ) -> None:
        first = max(start, self.window_start - 60)
        last = end if end is not None else self.as_of
        if last <= first:
            return
        on_time = self.story.level("cla_visit_on_time", (first + last) // 2)
        regular = self._visit_days(first, last, on_time, (20, 42), (43, 70), working=False)
        moves = np.array([day for day, _ in placements if first <= day <= last], dtype="int64")
        prompt = moves + self.np_rng.integers(1, 8, size=len(moves))
        prompt = prompt[(self.np_rng.random(len(moves)) < 0.85) & (prompt <= last)]
        days = np.sort(np.concatenate([regular, prompt]))
        count = len(days)
        seen = self.np_rng.random(count) < 0.95
        self.rows["ssd_cla_visits"].extend(
            count,
            clav_cla_id=cla_id,
            clav_person_id=child.person_id,
            clav_cla_visit_date=days,
            clav_cla_visit_seen=np.where(seen, "Y", "N").tolist(),
            clav_cla_visit_seen_alone=self._seen_alone(child, days, seen),
        )

    def _health_checks(self, child: Child, start: int, end: int | None) -> None:
        rng = self.rng
        last = end if end is not None else self.as_of
        rows = self.rows["ssd_cla_health"]
        for check, first_gap, refusal in (
            ("Health Assessment", (10, 28), 0.03),
            ("Dental Check", (30, 120), 0.08),
        ):
            day = start + rng.randint(*first_gap)
            while day <= last:
                if day >= self.window_start:
                    refused = child.age(day) >= 10 and rng.random() < refusal * 2
                    rows.add(
                        clah_person_id=child.person_id,
                        clah_health_check_type=check,
                        clah_health_check_date=day,
                        clah_health_check_status="Refused" if refused else "Completed",
                    )
                under_five = child.age(day) < 5 and check == "Health Assessment"
                day += (182 if under_five else 365) + rng.randint(-45, 40)

    def _missing(self, child: Child, start: int, end: int | None) -> None:
        first = max(start, self.window_start - 30, add_years(child.dob, 11))
        last = end if end is not None else self.as_of
        if last <= first:
            return
        rng = self.np_rng
        rate = 5.0 if rng.random() < P_MISSING_PRONE else 0.25
        count = int(rng.poisson(rate * (last - first) / YEAR))
        if count == 0:
            return
        starts = np.sort(rng.integers(first, last + 1, size=count))
        ends = starts + rng.integers(0, 4, size=count)
        types = np.where(rng.random(count) < 0.75, "M", "A")
        offered_share = np.array(
            [self.story.level("return_interview_offered", int(d)) for d in starts]
        )
        offered = rng.random(count) < offered_share
        accepted = offered & (rng.random(count) < 0.6)
        self.rows["ssd_missing"].extend(
            count,
            miss_person_id=child.person_id,
            miss_missing_episode_start_date=starts,
            miss_missing_episode_type=types.tolist(),
            miss_missing_episode_end_date=[int(e) if e <= self.as_of else None for e in ends],
            miss_missing_rhi_offered=np.where(offered, "Y", "N").tolist(),
            miss_missing_rhi_accepted=np.where(accepted, "Y", "N").tolist(),
        )

    def _permanence(
        self,
        child: Child,
        cla_id: str,
        start: int,
        end: int | None,
        route: str,
        placement_order: int | None,
        placed: int | None,
        reversed_day: int | None,
        placements: list[tuple[int, str]],
    ) -> None:
        rng, as_of = self.rng, self.as_of

        def seen(day: int | None) -> int | None:
            return day if day is not None and day <= as_of else None

        if route in ("special_guardianship", "child_arrangements"):
            if end is None:
                return
            self.rows["ssd_permanence"].add(
                perm_table_id=self._id("PRM"),
                perm_person_id=child.person_id,
                perm_cla_id=cla_id,
                perm_permanence_order_date=end,
                perm_permanence_order_type=(
                    "Special guardianship order"
                    if route == "special_guardianship"
                    else "Child arrangements order"
                ),
            )
            return
        decision = start + rng.randint(120, 220)
        if decision > as_of:
            return
        siblings = rng.random() < 0.25
        together = rng.randint(1, 2) if siblings else None
        adoptive_kind = placements[-1][1] if placed and placements[-1][0] == placed else None
        matched = placed - rng.randint(14, 60) if placed else None
        self.rows["ssd_permanence"].add(
            perm_table_id=self._id("PRM"),
            perm_person_id=child.person_id,
            perm_cla_id=cla_id,
            perm_adm_decision_date=decision,
            perm_part_of_sibling_group="Y" if siblings else "N",
            perm_siblings_placed_together=together,
            perm_siblings_placed_apart=(rng.randint(0, 1) if siblings else None),
            perm_placement_order_date=seen(placement_order),
            perm_matched_date=seen(matched),
            perm_adopter_sex=(
                rng.choice(["MF", "MF", "MF", "FF", "MM", "F"]) if seen(matched) else None
            ),
            perm_adopter_legal_status=(
                rng.choice(
                    ["Married couple", "Civil partners", "Unmarried couple", "Single adopter"]
                )
                if seen(matched)
                else None
            ),
            perm_number_of_adopters=(rng.choice([2, 2, 2, 1]) if seen(matched) else None),
            perm_placed_for_adoption_date=seen(placed),
            perm_adopted_by_carer_flag=(
                ("Y" if adoptive_kind in ("A3", "A5") else "N") if seen(placed) else None
            ),
            perm_placed_foster_carer_date=(start if adoptive_kind in ("A3", "A5") else None),
            perm_placement_provider_urn=(
                f"SC{rng.randint(100000, 999999)}" if seen(placed) else None
            ),
            perm_decision_reversed_date=seen(reversed_day),
            perm_decision_reversed_reason=("Child's needs changed" if seen(reversed_day) else None),
            perm_permanence_order_date=end if route == "adoption" else None,
            perm_permanence_order_type="Adoption order" if route == "adoption" and end else None,
        )

    # ---------------------------------------------------------------- short breaks

    def _short_breaks(self, child: Child, day: int) -> None:
        """A disabled child on agreed short breaks (legal status V3/V4): looked after in the
        episode tables, but never counted among children in care."""
        rng, as_of = self.rng, self.as_of
        referral_id = self._id("REF")
        assessment_start = self.workdays.add(day, rng.randint(0, 1))
        authorised = self._assessment(child, referral_id, assessment_start, closes=False)
        close = None
        if authorised is not None:
            start = authorised + rng.randint(10, 60)
            end = min(start + int(rng.expovariate(1 / 4.0) * YEAR) + 30, child.adult_day)
            if start <= as_of:
                self._short_break_care(child, referral_id, start, end if end <= as_of else None)
                if end <= as_of:
                    close = end + rng.randint(0, 14)
        close = close if close is not None and close <= as_of else None
        self.rows["ssd_cin_episodes"].add(
            cine_referral_id=referral_id,
            cine_person_id=child.person_id,
            cine_referral_date=day,
            cine_cin_primary_need_code="N2",
            cine_referral_source_code="3F",
            cine_referral_source_desc=codes.REFERRAL_SOURCES["3F"],
            cine_referral_outcome_json=codes.REFERRAL_OUTCOME_JSON["assessment"],
            cine_referral_nfa="N",
            cine_close_reason="RC7" if close else None,
            cine_close_date=close,
        )
        self._segment(
            child.person_id,
            referral_id,
            self.teams.disabled_children,
            ALLOCATED_SOCIAL_WORKER,
            day,
            close,
            "Case closed" if close else None,
        )

    def _short_break_care(
        self, child: Child, referral_id: str, start: int, end: int | None
    ) -> None:
        cla_id = self._id("CLA")
        placement_id = self._id("PLC")
        status = "V4" if self.rng.random() < 0.7 else "V3"
        self.rows["ssd_legal_status"].add(
            lega_person_id=child.person_id,
            lega_legal_status=status,
            lega_legal_status_start_date=start,
            lega_legal_status_end_date=end,
        )
        self.rows["ssd_cla_placement"].add(
            clap_cla_placement_id=placement_id,
            clap_cla_id=cla_id,
            clap_person_id=child.person_id,
            clap_cla_placement_start_date=start,
            clap_cla_placement_type="K2",
            clap_cla_placement_urn=f"SC{self.rng.randint(100000, 999999)}",
            clap_cla_placement_distance=round(self.rng.expovariate(1 / 8), 1),
            clap_cla_placement_provider="PR1",
            clap_cla_placement_postcode=f"ZZ99 {self.rng.randint(1, 9)}ZZ",
            clap_cla_placement_end_date=end,
        )
        self.rows["ssd_cla_episodes"].add(
            clae_cla_episode_id=self._id("EPI"),
            clae_person_id=child.person_id,
            clae_cla_placement_id=placement_id,
            clae_cla_episode_start_date=start,
            clae_cla_episode_start_reason="S",
            clae_cla_primary_need_code="N2",
            clae_cla_episode_ceased_date=end,
            clae_cla_episode_ceased_reason="E8" if end is not None else None,
            clae_cla_id=cla_id,
            clae_referral_id=referral_id,
            clae_entered_care_date=start,
        )

    # ---------------------------------------------------------------- helpers

    def _id(self, prefix: str) -> str:
        number = self._counters.get(prefix, 0) + 1
        self._counters[prefix] = number
        return f"{prefix}{number:07d}"

    def _participation(self, child: Child, day: int) -> str:
        if child.age(day) < 4:
            return "PN0"
        return codes.REVIEW_PARTICIPATION.pick(self.rng.random())

    def _seen_alone(self, child: Child, days: np.ndarray, seen: np.ndarray) -> list[str]:
        old_enough = (days - child.dob) >= 4 * YEAR
        alone = seen & old_enough & (self.np_rng.random(len(days)) < 0.65)
        return np.where(alone, "Y", "N").tolist()

    def _visit_days(
        self,
        first: int,
        last: int,
        on_time: float,
        quick: tuple[int, int],
        late: tuple[int, int],
        working: bool,
    ) -> np.ndarray:
        """Visit days after ``first`` up to ``last``: gaps mostly within the timescale."""
        rng = self.np_rng
        count = (last - first) // max(quick[0], 1) + 2
        gaps = np.where(
            rng.random(count) < on_time,
            rng.integers(quick[0], quick[1] + 1, size=count),
            rng.integers(late[0], late[1] + 1, size=count),
        )
        steps = np.cumsum(gaps)
        days = self.workdays.add_many(np.full(count, first), steps) if working else first + steps
        return days[days <= last]
