"""People and the records around the case chain: persons, contacts, early help and the
care-leaver table (a current-state table, so it depends on the as-at date)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from improvement.generator import codes
from improvement.generator.assemble import frame
from improvement.generator.cases import P_CARE_LEAVER_22_PLUS, YEAR, CaseSimulator, Child
from improvement.generator.names import FEMALE_FORENAMES, MALE_FORENAMES, SURNAMES
from improvement.generator.workforce import PERSONAL_ADVISER

# Contacts: about three for every referral. Each referral has its own contact; referred
# children have further contacts; and children who are never referred have one or two.
EXTRA_CONTACTS_PER_REFERRAL = 0.7
CONTACT_ONLY_CHILDREN_PER_YEAR = 6000.0
P_EARLY_HELP_AFTER_CONTACT = 0.8


def care_leavers(
    sim: CaseSimulator, episodes: pd.DataFrame, rng: np.random.Generator
) -> tuple[pd.DataFrame, list[tuple[Child, int]]]:
    """The care-leaver table at the as-at date, and each care leaver with the day care ended.

    Young people aged 16 to 25 who left care at 16 or over after at least 13 weeks; most
    over 21 no longer take up support, so only some of them remain.
    """
    as_of = sim.as_of
    open_episode = episodes["clae_cla_episode_ceased_date"].isna()
    in_care_now = set(episodes.loc[open_episode, "clae_person_id"].tolist())
    latest: dict[str, tuple[Child, int]] = {}
    for child, left in sim.care_leaver_candidates:
        latest[child.person_id] = (child, left)
    leavers = []
    for person_id, (child, left) in latest.items():
        age = child.age(as_of)
        if person_id in in_care_now or not 16 <= age < 26 or left - child.dob < 16 * YEAR:
            continue
        if age >= 22 and rng.random() >= P_CARE_LEAVER_22_PLUS:
            continue
        leavers.append((child, left))

    count = len(leavers)
    ages = np.array([child.age(as_of) for child, _ in leavers])
    suitable_share = sim.story.care_leaver_suitable_share(as_of)
    high_risk_share = 0.45 if suitable_share < 0.8 else 0.2
    suitable = rng.random(count) < np.where(ages < 18, max(suitable_share, 0.9), suitable_share)
    high_risk = ~suitable & (rng.random(count) < high_risk_share)
    accommodation = [
        (
            codes.SUITABLE_ACCOMMODATION
            if ok
            else codes.HIGH_RISK_ACCOMMODATION
            if risky
            else codes.OTHER_UNSUITABLE_ACCOMMODATION
        ).pick(u)
        for ok, risky, u in zip(suitable, high_risk, rng.random(count), strict=True)
    ]
    in_education = rng.random(count) < np.where(ages < 18, 0.7, 0.53)
    activity = [
        (codes.CARE_LEAVER_ACTIVITY_EET if eet else codes.CARE_LEAVER_ACTIVITY_NEET).pick(u)
        for eet, u in zip(in_education, rng.random(count), strict=True)
    ]
    in_touch = [codes.CARE_LEAVER_IN_TOUCH.pick(u) for u in rng.random(count)]
    contact_gap = np.where(
        np.array(in_touch) == "YES",
        rng.integers(0, 57, size=count),
        rng.integers(60, 400, size=count),
    )
    plan_gap = np.where(
        rng.random(count) < 0.85,
        rng.integers(0, 181, size=count),
        rng.integers(181, 500, size=count),
    )
    data = {
        "clea_table_id": [f"CLE{n:07d}" for n in range(1, count + 1)],
        "clea_person_id": [child.person_id for child, _ in leavers],
        "clea_care_leaver_eligibility": np.where(ages < 18, "Relevant", "Former relevant").tolist(),
        "clea_care_leaver_in_touch": in_touch,
        "clea_care_leaver_latest_contact": (as_of - contact_gap).tolist(),
        "clea_care_leaver_accommodation": accommodation,
        "clea_care_leaver_accom_suitable": np.where(suitable, "1", "2").tolist(),
        "clea_care_leaver_activity": activity,
        "clea_pathway_plan_review_date": (as_of - plan_gap).tolist(),
    }
    return frame("ssd_care_leavers", data), leavers


def contacts_and_early_help(
    sim: CaseSimulator, referrals: pd.DataFrame, rng: np.random.Generator
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Contacts inside the window and early help episodes. Children only ever contacted
    about join the simulation's children, so they get person rows too."""
    window_start, as_of = sim.window_start, sim.as_of
    recent = referrals[referrals["cine_referral_date"] >= window_start + 2]
    referral_days = recent["cine_referral_date"].to_numpy(dtype="int64")
    own = pd.DataFrame(
        {
            "person": recent["cine_person_id"].to_numpy(),
            "day": referral_days - rng.integers(0, 3, size=len(recent)),
            "source": recent["cine_referral_source_code"].to_numpy(),
            "outcome": codes.CONTACT_TO_REFERRAL_JSON,
        }
    )
    extra_count = int(rng.poisson(EXTRA_CONTACTS_PER_REFERRAL * len(recent)))
    referred_people = recent["cine_person_id"].to_numpy()
    extra = pd.DataFrame(
        {
            "person": referred_people[rng.integers(0, len(recent), size=extra_count)]
            if len(recent)
            else np.array([], dtype=object),
            "day": rng.integers(window_start, as_of + 1, size=extra_count),
        }
    )
    only_count = int(rng.poisson(CONTACT_ONLY_CHILDREN_PER_YEAR * sim.scale * 6))
    first_days = np.sort(rng.integers(window_start, as_of + 1, size=only_count))
    contact_only = [sim.contact_only_child(int(day)) for day in first_days]
    owners = np.repeat(np.arange(only_count), 1 + rng.poisson(0.3, size=only_count))
    first_of_owner = np.ones(len(owners), dtype=bool)
    first_of_owner[1:] = owners[1:] != owners[:-1]
    later = np.where(first_of_owner, 0, rng.integers(14, 365, size=len(owners)))
    only = pd.DataFrame(
        {
            "person": np.array([c.person_id for c in contact_only], dtype=object)[owners],
            "day": first_days[owners] + later,
        }
    )
    others = pd.concat([extra, only], ignore_index=True)
    others = others[others["day"] <= as_of]
    others["source"] = [codes.REFERRAL_SOURCE.pick(u) for u in rng.random(len(others))]
    others["outcome"] = [codes.CONTACT_OUTCOME.pick(u) for u in rng.random(len(others))]
    contacts = pd.concat([own, others], ignore_index=True).sort_values(
        ["day", "person"], kind="stable"
    )
    contact_frame = frame(
        "ssd_contacts",
        {
            "cont_contact_id": [f"CON{n:07d}" for n in range(1, len(contacts) + 1)],
            "cont_person_id": contacts["person"].tolist(),
            "cont_contact_date": contacts["day"].astype("int64").tolist(),
            "cont_contact_source_code": contacts["source"].tolist(),
            "cont_contact_source_desc": [codes.REFERRAL_SOURCES[s] for s in contacts["source"]],
            "cont_contact_outcome_json": contacts["outcome"].tolist(),
        },
    )

    early_help_contacts = contacts[contacts["outcome"] == codes.CONTACT_EARLY_HELP_JSON]
    chosen = early_help_contacts[rng.random(len(early_help_contacts)) < P_EARLY_HELP_AFTER_CONTACT]
    people = [p for p, _ in sim.early_help_starts] + chosen["person"].tolist()
    from_days = np.array(
        [d for _, d in sim.early_help_starts] + chosen["day"].tolist(), dtype="int64"
    )
    starts = from_days + rng.integers(3, 22, size=len(from_days))
    ends = starts + rng.integers(60, 271, size=len(from_days))
    keep = (starts <= as_of) & (ends >= window_start)
    people = np.array(people, dtype=object)[keep]
    starts, ends = starts[keep], ends[keep]
    count = len(starts)
    localities = ("North", "East", "South", "West")
    early_help = frame(
        "ssd_early_help_episodes",
        {
            "earl_episode_id": [f"EH{n:07d}" for n in range(1, count + 1)],
            "earl_person_id": people.tolist(),
            "earl_episode_start_date": starts.tolist(),
            "earl_episode_end_date": [int(e) if e <= as_of else None for e in ends],
            "earl_episode_reason": [codes.EARLY_HELP_REASON.pick(u) for u in rng.random(count)],
            "earl_episode_end_reason": [
                codes.EARLY_HELP_END_REASON.pick(u) if e <= as_of else None
                for u, e in zip(rng.random(count), ends, strict=True)
            ],
            "earl_episode_organisation": [
                f"{localities[k]} Family Hub" for k in rng.integers(0, 4, size=count)
            ],
        },
    )
    return contact_frame, early_help


def persons(
    children: list[Child], referenced: set[str], as_of: int, rng: np.random.Generator
) -> pd.DataFrame:
    """Person rows for every child some kept record refers to, with invented names."""
    kept = [child for child in children if child.person_id in referenced]
    count = len(kept)
    female = np.array([child.sex == "F" for child in kept], dtype=bool)
    female_names = np.array(FEMALE_FORENAMES, dtype=object)
    male_names = np.array(MALE_FORENAMES, dtype=object)
    forenames = np.where(
        female,
        female_names[rng.integers(0, len(female_names), size=count)],
        male_names[rng.integers(0, len(male_names), size=count)],
    )
    surnames = np.array(SURNAMES, dtype=object)[rng.integers(0, len(SURNAMES), size=count)]
    dobs = np.array([child.dob for child in kept], dtype="int64")
    numbers = np.array([int(child.person_id[1:]) for child in kept], dtype="int64")
    school_age = [child.age(as_of) >= 4 for child in kept]
    upn = [
        f"Z{800000000000 + n:012d}" if ok else None
        for n, ok in zip(numbers, school_age, strict=True)
    ]
    data = {
        "pers_legacy_id": [f"L{n:08d}" for n in numbers],
        "pers_person_id": [child.person_id for child in kept],
        "pers_upn": upn,
        "pers_forename": forenames.tolist(),
        "pers_surname": surnames.tolist(),
        "pers_sex": [child.sex for child in kept],
        "pers_gender": ["2" if f else "1" for f in female],
        "pers_ethnicity": [child.ethnicity for child in kept],
        "pers_dob": dobs.tolist(),
        "pers_upn_unknown": [None if u else "UN1" for u in upn],
        "pers_send_flag": ["Y" if child.disabled else "N" for child in kept],
        "pers_is_mother": ["N"] * count,
        "pers_nationality": ["Not British" if child.unaccompanied else "British" for child in kept],
    }
    return frame("ssd_person", data)


def adviser_spells(leavers: list[tuple[Child, int]], team: str) -> dict[str, list]:
    """Personal-adviser allocations from the day care ended, still open at the as-at date."""
    return {
        "person_id": [child.person_id for child, _ in leavers],
        "referral_id": [None] * len(leavers),
        "team_id": [team] * len(leavers),
        "role": [PERSONAL_ADVISER] * len(leavers),
        "start": [left for _, left in leavers],
        "end": [None] * len(leavers),
        "end_reason": [None] * len(leavers),
    }
