"""The SSDA903 return (children looked after) for one collection year, from SSD tables.

Each table is built with the DfE's column names, in the order the validator recognises it by,
with dates written dd/mm/YYYY and codes, never descriptions: coded columns go through the
council's code book (``ssd.codes``), so a case system that writes "Full care order" gives C2.
``docs/returns.md`` maps every field to its SSD source and says what SSD cannot supply.

The tables hold child ids, dates of birth and postcodes: they are written only inside the
restricted area (``write_ssda903``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from improvement.files import private_folder, write_private
from improvement.returns.collection_year import CollectionYear
from improvement.ssd.codes import CodeBook

# The DfE's tables and their columns, exactly as the validator recognises them.
COLUMNS: dict[str, list[str]] = {
    "Header": ["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"],
    "Episodes": [
        "CHILD",
        "DECOM",
        "RNE",
        "LS",
        "CIN",
        "PLACE",
        "PLACE_PROVIDER",
        "DEC",
        "REC",
        "REASON_PLACE_CHANGE",
        "HOME_POST",
        "PL_POST",
        "URN",
    ],
    "Reviews": ["CHILD", "DOB", "REVIEW", "REVIEW_CODE"],
    "Missing": ["CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"],
    "OC3": ["CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM"],
}

# The SSD tables the return reads.
SOURCES = (
    "ssd_person",
    "ssd_cla_episodes",
    "ssd_cla_placement",
    "ssd_legal_status",
    "ssd_cla_reviews",
    "ssd_missing",
    "ssd_care_leavers",
)

SHORT_BREAKS = ("V3", "V4")  # legal statuses of a series of short breaks

# The SSD columns the return reads beyond each table's keys and dates, which only snapshots
# taken since the returns were added hold.
SOURCE_COLUMNS = {
    "ssd_person": ["pers_upn", "pers_upn_unknown", "pers_is_mother"],
    "ssd_cla_placement": ["clap_cla_placement_postcode"],
}

# The 903's SEX codes from the forms case systems write in pers_sex: M, F and U (not known)
# from 2024/25, 1 (male) and 2 (female) before.
SEX_FORMS = {"m": "M", "male": "M", "1": "M", "f": "F", "female": "F", "2": "F", "u": "U"}
SEX_CODES_BEFORE_2025 = {"M": "1", "F": "2"}
_YES = {"y", "yes", "true", "t", "1"}


def _dates(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values.astype(object), errors="coerce")


def _dmy(values: pd.Series) -> pd.Series:
    """dd/mm/YYYY, blank where missing: the 903's date form."""
    return _dates(values).dt.strftime("%d/%m/%Y").where(values.notna(), None)


def _coded(codes: CodeBook, column: str, values: pd.Series) -> pd.Series:
    """The DfE code each value stands for; a value nothing maps is kept as written, so the
    DfE's own rules name it rather than it vanishing."""
    return values.map(
        lambda value: None if pd.isna(value) else codes.to_code(column, value) or value
    )


def _frame(rows: pd.DataFrame, table: str) -> pd.DataFrame:
    return rows.reindex(columns=COLUMNS[table]).astype(object).where(lambda f: f.notna(), None)


def _episodes(frames: Mapping[str, pd.DataFrame], year: CollectionYear, codes: CodeBook):
    episodes = frames["ssd_cla_episodes"].copy()
    start, ceased = (
        _dates(episodes["clae_cla_episode_start_date"]),
        _dates(episodes["clae_cla_episode_ceased_date"]),
    )
    in_year = (start <= pd.Timestamp(year.end)) & (
        ceased.isna() | (ceased >= pd.Timestamp(year.start))
    )
    episodes = episodes[in_year & start.notna()].copy()
    episodes["start"], episodes["ceased"] = start[episodes.index], ceased[episodes.index]
    # An episode still open at the year's end has no end date or reason in this year's return.
    open_at_end = episodes["ceased"].isna() | (episodes["ceased"] > pd.Timestamp(year.end))

    placements = frames["ssd_cla_placement"][
        [
            "clap_cla_placement_id",
            "clap_cla_placement_type",
            "clap_cla_placement_provider",
            "clap_cla_placement_postcode",
            "clap_cla_placement_urn",
            "clap_cla_placement_end_date",
            "clap_cla_placement_change_reason",
        ]
    ].drop_duplicates("clap_cla_placement_id")
    episodes = episodes.merge(
        placements, how="left", left_on="clae_cla_placement_id", right_on="clap_cla_placement_id"
    )
    episodes["LS"] = _legal_status_at_start(episodes, frames["ssd_legal_status"], codes)
    placement_ended = _dates(episodes["clap_cla_placement_end_date"]) == episodes["ceased"]
    open_at_end = open_at_end.to_numpy()
    rows = pd.DataFrame(
        {
            "CHILD": episodes["clae_person_id"],
            "DECOM": _dmy(episodes["start"]),
            "RNE": _coded(
                codes, "clae_cla_episode_start_reason", episodes["clae_cla_episode_start_reason"]
            ),
            "LS": episodes["LS"],
            "CIN": episodes["clae_cla_primary_need_code"],
            "PLACE": _coded(codes, "clap_cla_placement_type", episodes["clap_cla_placement_type"]),
            "PLACE_PROVIDER": episodes["clap_cla_placement_provider"],
            "DEC": _dmy(episodes["ceased"]).where(~open_at_end, None),
            "REC": _coded(
                codes, "clae_cla_episode_ceased_reason", episodes["clae_cla_episode_ceased_reason"]
            ).where(~open_at_end, None),
            "REASON_PLACE_CHANGE": _coded(
                codes,
                "clap_cla_placement_change_reason",
                episodes["clap_cla_placement_change_reason"],
            ).where(placement_ended & ~open_at_end, None),
            "PL_POST": episodes["clap_cla_placement_postcode"],
            "URN": episodes["clap_cla_placement_urn"],
        }
    )
    order = episodes.assign(_child=rows["CHILD"]).sort_values(["_child", "start"]).index
    return _frame(rows.loc[order], "Episodes")


def _legal_status_at_start(
    episodes: pd.DataFrame, legal: pd.DataFrame, codes: CodeBook
) -> pd.Series:
    """Each episode's legal status: the one in force on the day it started, the latest begun
    where two overlap (the larger id where they began the same day); None where none was."""
    legal = legal.assign(
        _from=_dates(legal["lega_legal_status_start_date"]),
        _to=_dates(legal["lega_legal_status_end_date"]),
    )
    pairs = (
        episodes[["clae_person_id", "start"]]
        .reset_index()
        .merge(legal, how="inner", left_on="clae_person_id", right_on="lega_person_id")
    )
    pairs = pairs[
        (pairs["_from"] <= pairs["start"]) & (pairs["_to"].isna() | (pairs["_to"] > pairs["start"]))
    ]
    # Two begun the same day: the larger id, so the choice never depends on row order.
    latest = pairs.sort_values(["index", "_from", "lega_legal_status_id"]).drop_duplicates(
        "index", keep="last"
    )
    status = pd.Series(latest["lega_legal_status"].to_numpy(), index=latest["index"].to_numpy())
    return _coded(codes, "lega_legal_status", status.reindex(range(len(episodes))))


def _reviews(frames: Mapping[str, pd.DataFrame], year: CollectionYear, codes: CodeBook):
    reviews = frames["ssd_cla_reviews"]
    held = _dates(reviews["clar_cla_review_date"])
    cancelled = reviews["clar_cla_review_cancelled"].map(
        lambda value: (
            not pd.isna(value) and codes.to_code("clar_cla_review_cancelled", value) == "Y"
        )
    )
    keep = held.between(pd.Timestamp(year.start), pd.Timestamp(year.end)) & ~cancelled.astype(bool)
    reviews = reviews[keep].assign(_held=held[keep]).sort_values(["clar_cla_person_id", "_held"])
    return _frame(
        pd.DataFrame(
            {
                "CHILD": reviews["clar_cla_person_id"],
                "REVIEW": _dmy(reviews["_held"]),
                "REVIEW_CODE": reviews["clar_cla_review_participation"],
            }
        ),
        "Reviews",
    )


def _missing(frames: Mapping[str, pd.DataFrame], year: CollectionYear, codes: CodeBook):
    missing = frames["ssd_missing"]
    began = _dates(missing["miss_missing_episode_start_date"])
    keep = began.between(pd.Timestamp(year.start), pd.Timestamp(year.end))
    missing = missing[keep].assign(_began=began[keep]).sort_values(["miss_person_id", "_began"])
    ended = _dates(missing["miss_missing_episode_end_date"])
    return _frame(
        pd.DataFrame(
            {
                "CHILD": missing["miss_person_id"],
                "MISSING": _coded(
                    codes, "miss_missing_episode_type", missing["miss_missing_episode_type"]
                ),
                "MIS_START": _dmy(missing["_began"]),
                # An episode that ended after the year's end is still open in this return.
                "MIS_END": _dmy(missing["miss_missing_episode_end_date"]).where(
                    ended <= pd.Timestamp(year.end), None
                ),
            }
        ),
        "Missing",
    )


def _care_leavers(
    frames: Mapping[str, pd.DataFrame], year: CollectionYear, codes: CodeBook, births: pd.Series
):
    """Care leavers whose 17th to 21st birthday falls in the year, as the 903's OC3 asks."""
    leavers = frames["ssd_care_leavers"]
    born = births.reindex(leavers["clea_person_id"].to_numpy())
    age_at_end = _age(born, year.end)
    turned_in_year = _age(born, year.start - dt.timedelta(days=1)) < age_at_end
    keep = (age_at_end.between(17, 21) & turned_in_year).to_numpy()
    leavers = leavers[keep].sort_values("clea_person_id")
    accommodation = _coded(
        codes, "clea_care_leaver_accommodation", leavers["clea_care_leaver_accommodation"]
    )
    suitable = _coded(
        codes, "clea_care_leaver_accom_suitable", leavers["clea_care_leaver_accom_suitable"]
    )
    return _frame(
        pd.DataFrame(
            {
                "CHILD": leavers["clea_person_id"],
                "IN_TOUCH": _coded(
                    codes, "clea_care_leaver_in_touch", leavers["clea_care_leaver_in_touch"]
                ),
                "ACTIV": _coded(
                    codes, "clea_care_leaver_activity", leavers["clea_care_leaver_activity"]
                ),
                # The 903 writes the kind of accommodation and its suitability as one code: B1, B2.
                "ACCOM": (accommodation + suitable).where(
                    accommodation.notna() & suitable.notna(), accommodation
                ),
            }
        ),
        "OC3",
    )


def _in_care_as_a_care_leaver(
    episodes: pd.DataFrame, births: pd.Series, year: CollectionYear
) -> set[str]:
    """Young people whose care leavers' information the return does not ask for: those still
    looked after at the year's end, and those aged 17 or 18 then who were still looked after on
    the year's 17th or 18th birthday (the DfE's rules 1007 and 1016)."""
    still = set(episodes.loc[episodes["DEC"].isna(), "CHILD"])
    born = pd.Series(births.reindex(episodes["CHILD"].to_numpy()).to_numpy(), episodes.index)
    age = _age(born, year.end)
    ended = pd.to_datetime(episodes["DEC"], format="%d/%m/%Y")
    after_birthday = pd.Series(False, index=episodes.index)
    for years in (17, 18):
        after_birthday |= (age == years) & (ended >= born + pd.DateOffset(years=years))
    return still | set(episodes.loc[after_birthday, "CHILD"])


def _age(born: pd.Series, on: dt.date) -> pd.Series:
    """Completed years on ``on``; NaN where the date of birth is missing."""
    before_birthday = (born.dt.month > on.month) | (
        (born.dt.month == on.month) & (born.dt.day > on.day)
    )
    return on.year - born.dt.year - before_birthday.astype(int)


def _sex(values: pd.Series, year: CollectionYear) -> pd.Series:
    """The 903's SEX code of the year; a form nothing maps is kept as written."""
    sex = values.map(
        lambda value: (
            None if pd.isna(value) else SEX_FORMS.get(str(value).strip().casefold(), value)
        )
    )
    return sex if year.ends >= 2025 else sex.replace(SEX_CODES_BEFORE_2025)


def _header(
    people: pd.DataFrame, children: list[str], year: CollectionYear, codes: CodeBook
) -> pd.DataFrame:
    people = people.drop_duplicates("pers_person_id").set_index("pers_person_id")
    people = people.reindex(children)
    sex = _sex(people["pers_sex"], year)
    mother = people["pers_is_mother"].map(
        lambda value: (
            None if pd.isna(value) else ("1" if str(value).strip().casefold() in _YES else "0")
        )
    )
    upn = people["pers_upn"].where(people["pers_upn"].notna(), people["pers_upn_unknown"])
    return _frame(
        pd.DataFrame(
            {
                "CHILD": people.index.to_numpy(),
                "SEX": sex.to_numpy(),
                "DOB": _dmy(people["pers_dob"]).to_numpy(),
                "ETHNIC": _coded(codes, "pers_ethnicity", people["pers_ethnicity"]).to_numpy(),
                "UPN": upn.to_numpy(),
                # The 903 asks whether a girl is a mother only of girls.
                "MOTHER": mother.where(sex.isin(["F", "2"]), None).to_numpy(),
            }
        ),
        "Header",
    )


def ssda903_tables(
    frames: Mapping[str, pd.DataFrame], year: CollectionYear, codes: CodeBook
) -> dict[str, pd.DataFrame]:
    """The year's Header, Episodes, Reviews, Missing and OC3 tables from the SSD tables (by
    SSD name, as a snapshot holds them). Every child in any table is in the Header."""
    people = frames["ssd_person"]
    births = _dates(
        people.drop_duplicates("pers_person_id").set_index("pers_person_id")["pers_dob"]
    )
    tables = {
        "Episodes": _episodes(frames, year, codes),
        "Reviews": _reviews(frames, year, codes),
        "Missing": _missing(frames, year, codes),
        "OC3": _care_leavers(frames, year, codes, births),
    }
    episodes = tables["Episodes"]
    looked_after = set(episodes["CHILD"])
    tables["OC3"] = tables["OC3"][~tables["OC3"]["CHILD"].isin(_in_care_as_a_care_leaver(
        episodes, births, year
    ))]  # fmt: skip
    # Reviews and missing episodes belong in the return only for children looked after in it;
    # a child looked after only for short breaks (V3, V4) has no reviews in it.
    short_breaks_only = set(
        episodes.assign(_short=episodes["LS"].isin(SHORT_BREAKS))
        .groupby("CHILD")["_short"]
        .all()
        .loc[lambda short: short]
        .index
    )
    for name in ("Reviews", "Missing"):
        tables[name] = tables[name][tables[name]["CHILD"].isin(looked_after)]
    tables["Reviews"] = tables["Reviews"][~tables["Reviews"]["CHILD"].isin(short_breaks_only)]
    children = sorted(looked_after | set(tables["OC3"]["CHILD"]))
    tables["Header"] = _header(people, children, year, codes)
    # Motherhood is asked only of girls looked after in the year, other than for short breaks.
    asked = tables["Header"]["CHILD"].isin(looked_after - short_breaks_only)
    tables["Header"].loc[~asked, "MOTHER"] = None
    dob = _dmy(births).to_dict()
    for name in ("Reviews", "Missing", "OC3"):
        tables[name] = (
            tables[name].assign(DOB=tables[name]["CHILD"].map(dob)).reset_index(drop=True)
        )
    tables["Episodes"] = tables["Episodes"].reset_index(drop=True)
    return {name: tables[name] for name in COLUMNS}


def write_ssda903(
    tables: Mapping[str, pd.DataFrame], folder: Path, previous_year: bool = False
) -> dict[str, Path]:
    """One CSV per table in an owner-only folder; returns the paths by table. The previous
    year's tables are named ``…_last.csv``, which is how the rules' runner tells them apart
    (the DfE's validator recognises a table by its columns, the same in both years)."""
    private_folder(folder)
    written = {}
    suffix = "_last" if previous_year else ""
    for name, table in tables.items():
        path = folder / f"ssda903_{name.lower()}{suffix}.csv"
        write_private(path, table.to_csv(index=False, lineterminator="\n").encode())
        written[name] = path
    return written
