"""A personal-data guard on free text and on files: what people type (the analyst's commentary
and caveats, reviewers' reasons, the improvement-plan register) before it is stored or rendered,
and every pack and upload before it is published or posted.

Text is checked against the snapshot the figures come from (the names, ids and dates of birth
in ``ssd_person`` and ``ssd_professionals``) and against the shapes ids are written in. What
counts (``docs/security.md`` gives the reasons):

- **a child's name**: a person of ``ssd_person`` by forename and surname together, in either
  order ("Synthia Fakeworth", "Fakeworth, Synthia"), or by the surname alone when it is not an
  English word (not a lower-case entry of Webster's Second International: "Green" and "Walker"
  are words, "Jones" and "Fakeworth" are not) and has at least three letters. Whole words,
  ignoring case and accents; a forename alone never counts.
- **a worker's name**: the full name of a worker of ``ssd_professionals``, or its first and last
  words, in either order.
- **a person id** / **a worker id**: any id of those tables as a whole token (ids of at least
  ``MIN_ID_LENGTH`` characters), or anything in the shape of one (``ID_SHAPES``).
- **a date of birth**: a date written beside "born", "birth", "birthday" or "DOB", whatever
  the date; and, in typed text, any date that is the date of birth of someone in the snapshot
  at least ``BARE_DATE_MIN_AGE_YEARS`` old (recent dates are what commentary cites, and in a
  large county nearly every recent day is some baby's birthday). Written as 2014-03-02,
  02/03/2014 (day first), 2 March 2014, 2nd Mar 2014 or March 2, 2014.

A finding names the kind of datum and where it is ("the commentary on Care leavers holds a
child's name"), never the value, so the message can go into logs, Slack and the form again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html.parser
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd
    import sqlalchemy as sa

    from improvement.council_context import CouncilContext
    from improvement.plan import PlanRegister, Problem
    from improvement.reports.content import SignOff
    from improvement.reports.render import RenderedPack

CHILD_NAME = "a child's name"
WORKER_NAME = "a worker's name"
PERSON_ID = "a person id"
WORKER_ID = "a worker id"
DATE_OF_BIRTH = "a date of birth"
KINDS = (CHILD_NAME, WORKER_NAME, PERSON_ID, WORKER_ID, DATE_OF_BIRTH)

# Identifier shapes of the case system and workforce data (see improvement.generator), each
# with the kind it is reported as: a person P0000073, a unique pupil number Z800000000073, a
# worker W00001, a staff number S040001, a Social Work England registration SW212648.
ID_SHAPES: Mapping[str, tuple[str, str]] = {
    "person id (P and 7 digits)": (PERSON_ID, r"P\d{7}"),
    "unique pupil number (a letter, 11 digits and a check character)": (
        PERSON_ID,
        r"[A-Z]\d{11}[0-9A-Z]",
    ),
    "worker id (W and 5 digits)": (WORKER_ID, r"W\d{5}"),
    "staff id (S and 6 digits)": (WORKER_ID, r"S\d{6}"),
    "social work registration (SW and 6 digits)": (WORKER_ID, r"SW\d{6}"),
}
MIN_ID_LENGTH = 5  # shorter ids ("12", "2026") are everyday numbers
MIN_SURNAME_LETTERS = 3
BARE_DATE_MIN_AGE_YEARS = 2
TWO_DIGIT_YEAR_PIVOT = 68  # as strptime's %y: 68 is 2068, 69 is 1969

PERSON_ID_COLUMNS = ("pers_person_id", "pers_legacy_id", "pers_upn", "pers_single_unique_id")
WORKER_ID_COLUMNS = ("prof_professional_id", "prof_staff_id", "prof_social_worker_registration_no")
# The register's columns people write in; ``owner`` may name the member of staff accountable.
PLAN_TEXT_COLUMNS = (
    "action",
    "owner",
    "revision_reason",
    "evidence_of_impact",
    "remedial_action",
    "decision_needed",
)
_STAFF_MAY_BE_NAMED = frozenset({"owner"})

_WORD = re.compile(r"[^\W\d_]+")
_ID_TOKEN = re.compile(r"[A-Za-z0-9]+(?:[-/_.][A-Za-z0-9]+)*")
_ALNUM = re.compile(r"[A-Za-z0-9]+")
_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12,
    "dec": 12,
}  # fmt: skip
_MONTH = "(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_ORDINAL = r"(?:st|nd|rd|th)?"
_DATE_FORMS = (
    re.compile(r"(?<!\d)(?P<year>\d{4})[-/.](?P<month>\d{1,2})[-/.](?P<day>\d{1,2})(?!\d)"),
    re.compile(r"(?<!\d)(?P<day>\d{1,2})[-/.](?P<month>\d{1,2})[-/.](?P<year>\d{4}|\d{2})(?!\d)"),
    re.compile(
        rf"(?<!\d)(?P<day>\d{{1,2}}){_ORDINAL}\s+(?:of\s+)?{_MONTH},?\s+(?P<year>\d{{4}})(?!\d)",
        re.IGNORECASE,
    ),
    re.compile(
        rf"\b{_MONTH}\s+(?P<day>\d{{1,2}}){_ORDINAL},?\s+(?P<year>\d{{4}})(?!\d)", re.IGNORECASE
    ),
)
_BIRTH_CUE = re.compile(r"\b(?:born|birth(?:day|date)?s?|d\.?o\.?b)\b", re.IGNORECASE)
_CUE_BEFORE, _CUE_AFTER = 40, 15  # characters either side of a date that a cue may be in


@dataclass(frozen=True)
class Hit:
    """Personal data found somewhere: where (a field, a file) and the kinds, never the value."""

    where: str
    kinds: tuple[str, ...]

    def describe(self) -> str:
        return f"{self.where} holds {_and(self.kinds)}"


class PersonalDataFound(ValueError):
    """Personal data in text or a file; the message says what kind and where, never the value."""

    def __init__(self, hits: Sequence[Hit], outcome: str) -> None:
        self.hits = tuple(hits)
        super().__init__("; ".join(hit.describe() for hit in self.hits) + f": {outcome}")


class UnreadableFile(ValueError):
    """A file whose text cannot be read, so it cannot be shown to hold no personal data."""


def _and(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" and {items[-1]}"


def _words(text: str) -> list[str]:
    """Words without accents, case-folded: "Zoë O'Brien" gives zoe, o, brien."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return [word.casefold() for word in _WORD.findall(plain)]


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """Lower-case entries of Webster's Second International: a surname among them (Green,
    Young, Walker) is an everyday word, so it only counts beside a forename."""
    from english_words import get_english_words_set

    return frozenset(word for word in get_english_words_set(["web2"]) if word.islower())


def _distinctive(surname: tuple[str, ...]) -> bool:
    if len(surname) == 1:
        return len(surname[0]) >= MIN_SURNAME_LETTERS and surname[0] not in common_words()
    return any(part not in common_words() for part in surname)


def _text(value) -> str:
    return "" if value is None or value != value else str(value).strip()  # NaN != NaN


class PersonalDataGuard:
    """Finds names, ids and dates of birth of one snapshot (and id shapes) in text and files.

    Build it with ``from_tables`` (a snapshot's ``ssd_person`` and ``ssd_professionals``),
    ``guard_for_snapshot`` (the same, read from the warehouse) or ``shapes_only`` (no snapshot:
    id shapes and dates beside a birth cue).
    """

    def __init__(
        self,
        names: Mapping[tuple[str, ...], str] | None = None,
        ids: Mapping[str, str] | None = None,
        dates_of_birth: Iterable[dt.date] = (),
    ) -> None:
        """``names``: word sequences (see ``_words``) to the kind they are; ``ids``: case-folded
        ids to theirs; ``dates_of_birth``: the dates a bare date is refused for."""
        self._ids = dict(ids or {})
        self._scanned: dict[tuple[str, str], tuple[str, ...]] = {}
        self._dates_of_birth = frozenset(dates_of_birth)
        self._by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        self._by_pair: dict[tuple[str, str], list[tuple[tuple[str, ...], str]]] = {}
        for sequence, kind in (names or {}).items():
            if len(sequence) == 1:
                self._by_first.setdefault(sequence[0], []).append((sequence, kind))
            elif sequence:
                self._by_pair.setdefault(sequence[:2], []).append((sequence, kind))
        self._shapes = [
            (kind, re.compile(rf"(?<![A-Za-z0-9])(?:{pattern})(?![A-Za-z0-9])", re.IGNORECASE))
            for kind, pattern in ID_SHAPES.values()
        ]

    @classmethod
    def shapes_only(cls) -> PersonalDataGuard:
        return cls()

    @classmethod
    def from_tables(
        cls,
        people: pd.DataFrame,
        professionals: pd.DataFrame | None,
        as_at: dt.date,
        own_words: Iterable[str] = (),
    ) -> PersonalDataGuard:
        """From a snapshot's ``ssd_person`` and ``ssd_professionals`` (None if it has none)
        taken on ``as_at``. ``own_words``: names the packs use of their own (the council, its
        localities and teams, the groups): a surname among them only counts beside a forename.
        """
        everyday = {word for text in own_words for word in _words(text)}
        names: dict[tuple[str, ...], str] = {}
        ids: dict[str, str] = {}
        for forename, surname in zip(
            people.get("pers_forename", ()), people.get("pers_surname", ()), strict=False
        ):
            # Initials are left out: "A Green" would be every "a green" in a sentence.
            first = tuple(word for word in _words(_text(forename)) if len(word) > 1)
            last = tuple(_words(_text(surname)))
            if first and last:
                for sequence in (first + last, last + first, first[:1] + last, last + first[:1]):
                    names[sequence] = CHILD_NAME
            if last and _distinctive(last) and not set(last) <= everyday:
                names.setdefault(last, CHILD_NAME)
        for column in PERSON_ID_COLUMNS:
            ids.update(_ids(people.get(column, ()), PERSON_ID))
        if professionals is not None:
            for full_name in professionals.get("prof_professional_name", ()):
                words = tuple(_words(_text(full_name)))
                if len(words) >= 2:
                    ends = (words[0], words[-1])
                    for sequence in (words, ends, ends[::-1]):
                        names.setdefault(sequence, WORKER_NAME)
            for column in WORKER_ID_COLUMNS:
                for value, kind in _ids(professionals.get(column, ()), WORKER_ID).items():
                    ids.setdefault(value, kind)
        oldest_recent = _years_before(as_at, BARE_DATE_MIN_AGE_YEARS)
        births = {
            born
            for value in people.get("pers_dob", ())
            if (born := _iso_date(_text(value))) is not None and born <= oldest_recent
        }
        return cls(names, ids, births)

    # ------------------------------------------------------------------ text

    def kinds_in(self, text: str | None, *, bare_dates: bool = True) -> tuple[str, ...]:
        """The kinds of personal data in ``text``, in ``KINDS`` order. ``bare_dates=False``
        leaves out dates that are only a snapshot's date of birth (files hold dates of their
        own: periods, meetings, trend months)."""
        if not text:
            return ()
        found = self._names_in(text) | self._ids_in(text) | self._dates_in(text, bare_dates)
        return tuple(kind for kind in KINDS if kind in found)

    def check(self, fields: Mapping[str, str | None], *, bare_dates: bool = True) -> list[Hit]:
        """A hit for each field (label to text) holding personal data."""
        hits = []
        for where, text in fields.items():
            kinds = self.kinds_in(text, bare_dates=bare_dates)
            if kinds:
                hits.append(Hit(where, kinds))
        return hits

    def _names_in(self, text: str) -> set[str]:
        words = _words(text)
        found = set()
        for index, word in enumerate(words):
            found.update(kind for _, kind in self._by_first.get(word, ()))
            for sequence, kind in self._by_pair.get(tuple(words[index : index + 2]), ()):
                if tuple(words[index : index + len(sequence)]) == sequence:
                    found.add(kind)
        return found

    def _ids_in(self, text: str) -> set[str]:
        found = {kind for kind, shape in self._shapes if shape.search(text)}
        if self._ids:
            for token in _ID_TOKEN.findall(text):
                for candidate in (token, *_ALNUM.findall(token)):
                    kind = self._ids.get(candidate.casefold())
                    if kind is not None:
                        found.add(kind)
        return found

    def _dates_in(self, text: str, bare_dates: bool) -> set[str]:
        for date, start, end in written_dates(text):
            around = text[max(0, start - _CUE_BEFORE) : start] + " " + text[end : end + _CUE_AFTER]
            if _BIRTH_CUE.search(around) or (bare_dates and date in self._dates_of_birth):
                return {DATE_OF_BIRTH}
        return set()

    # ------------------------------------------------------------------ files

    def scan_file(self, name: str, data: bytes) -> Hit | None:
        """A hit if the file's text (HTML, PDF or plain text, by its name) holds personal data;
        raises ``UnreadableFile`` for a file whose text cannot be read. The same bytes are read
        once (a pack is scanned where it is published and again where it is uploaded)."""
        key = (Path(name).suffix.lower(), hashlib.sha256(data).hexdigest())
        if key not in self._scanned:
            self._scanned[key] = self.kinds_in(file_text(name, data), bare_dates=False)
        kinds = self._scanned[key]
        return Hit(name, kinds) if kinds else None


def _ids(values: Iterable, kind: str) -> dict[str, str]:
    found = {}
    for value in values:
        text = _text(value)
        if len(text) >= MIN_ID_LENGTH:
            found[text.casefold()] = kind
    return found


def _iso_date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def written_dates(text: str) -> Iterator[tuple[dt.date, int, int]]:
    """Every calendar date written in ``text`` in a common form: (date, start, end). Numeric
    dates are read day first, as in England; a two-digit year as ``strptime``'s ``%y`` reads
    it (00 to 68 in this century, 69 to 99 in the last)."""
    for form in _DATE_FORMS:
        for match in form.finditer(text):
            parts = match.groupdict()
            month = parts["month"]
            month = int(month) if month.isdigit() else _MONTHS[month.lower().rstrip(".")]
            year = int(parts["year"])
            if len(parts["year"]) == 2:
                year += 2000 if year <= TWO_DIGIT_YEAR_PIVOT else 1900
            try:
                yield dt.date(year, month, int(parts["day"])), match.start(), match.end()
            except ValueError:
                continue


# ---------------------------------------------------------------------------- file text


class _HTMLText(html.parser.HTMLParser):
    """The text a reader sees: text nodes and alt/title/aria-label attributes, no script or
    style."""

    HIDDEN = frozenset({"script", "style"})
    SHOWN_ATTRIBUTES = frozenset({"alt", "title", "aria-label"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs) -> None:
        if tag in self.HIDDEN:
            self._hidden += 1
        self.parts.extend(value for key, value in attrs if key in self.SHOWN_ATTRIBUTES and value)

    def handle_endtag(self, tag) -> None:
        if tag in self.HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data) -> None:
        if not self._hidden:
            self.parts.append(data)


def html_text(markup: str) -> str:
    parser = _HTMLText()
    parser.feed(markup)
    parser.close()
    return "\n".join(parser.parts)


def pdf_page_texts(data: bytes) -> list[str]:
    """Each page's text (images are not read: charts carry figures only). PDFium reads a pack
    in a fraction of a second, where a pure-Python reader took seconds. A word hyphenated at a
    line end keeps its hyphen."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data)
    try:
        texts = []
        for page in document:
            textpage = page.get_textpage()
            texts.append(textpage.get_text_range().replace("\ufffe", "-"))
            textpage.close()
            page.close()
        return texts
    finally:
        document.close()


def pdf_text(data: bytes) -> str:
    return "\n".join(pdf_page_texts(data))


def file_text(name: str, data: bytes) -> str:
    suffix = Path(name).suffix.lower()
    try:
        if suffix == ".pdf":
            return pdf_text(data)
        if suffix in (".html", ".htm"):
            return html_text(data.decode("utf-8"))
        if suffix in (".txt", ".csv", ".md", ".json"):
            return data.decode("utf-8")
    except Exception as error:  # noqa: BLE001 - any failure to read means "cannot be checked"
        raise UnreadableFile(
            f"{name}: its text cannot be read ({type(error).__name__}), so it cannot be "
            "checked for personal data"
        ) from None
    raise UnreadableFile(
        f"{name}: the text of a {suffix or 'nameless'} file cannot be checked for personal data"
    )


# ---------------------------------------------------------------------------- snapshot


def guard_for_snapshot(
    engine: sa.Engine, snapshot_key: str, council: CouncilContext
) -> PersonalDataGuard:
    """The guard for the people of one stored snapshot of ``council``."""
    import sqlalchemy as sa

    from improvement.warehouse.snapshots import read_snapshot_table
    from improvement.warehouse.tables import snapshot, snapshot_table

    with engine.connect() as conn:
        taken = conn.execute(
            sa.select(snapshot.c.snapshot_date).where(snapshot.c.snapshot_key == snapshot_key)
        ).scalar_one()
        tables = set(
            conn.execute(
                sa.select(snapshot_table.c.table_name)
                .select_from(snapshot.join(snapshot_table))
                .where(snapshot.c.snapshot_key == snapshot_key)
            ).scalars()
        )
    people = read_snapshot_table(engine, snapshot_key, "ssd_person")
    professionals = (
        read_snapshot_table(engine, snapshot_key, "ssd_professionals")
        if "ssd_professionals" in tables
        else None
    )
    as_at = taken if isinstance(taken, dt.date) else dt.date.fromisoformat(str(taken)[:10])
    own_words = _own_words(council)
    return PersonalDataGuard.from_tables(people, professionals, as_at, own_words=own_words)


def _own_words(council: CouncilContext) -> list[str]:
    """The council's, its localities', teams' and governance groups' names (configuration)."""
    teams = council.county.teams
    groups = council.groups.values()
    return [
        council.council_name,
        *(team.name for team in teams),
        *(team.locality for team in teams),
        *(group.name for group in groups),
    ]


# ---------------------------------------------------------------------------- packs


def field_label(key: str) -> str:
    """How a form field or stored topic is named in a refusal."""
    from improvement.measures.catalogue import PRIORITY_AREAS

    if key == "caveats":
        return "the data-quality caveats"
    if key == "reason":
        return "the reason"
    if key in PRIORITY_AREAS:
        return f"the commentary on {PRIORITY_AREAS[key]}"
    return f"the field {key}"


def plan_register_problems(guard: PersonalDataGuard, register: PlanRegister) -> list[Problem]:
    """One problem per register column and kind of datum found, with the rows (by action id)."""
    from improvement.plan import Problem

    rows: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for action in register.actions:
        for column in PLAN_TEXT_COLUMNS:
            for kind in guard.kinds_in(getattr(action, column)):
                if kind == WORKER_NAME and column in _STAFF_MAY_BE_NAMED:
                    continue
                rows.setdefault((column, kind), []).append((action.row, f"({action.action_id})"))
    return [
        Problem(
            column,
            f"holds {kind}",
            tuple(found),
            hint="the register is printed in every pack: name no child, id or date of birth",
        )
        for (column, kind), found in rows.items()
    ]


def check_pack_inputs(
    guard: PersonalDataGuard,
    *,
    plan: PlanRegister | None,
    commentary: Mapping[str, str] | None,
    caveats: Sequence[str],
    signoff: Mapping[str, Sequence[SignOff]] | None,
) -> None:
    """Refuse to render packs whose typed text holds personal data: the plan register
    (``PlanRegisterError``), the commentary, caveats and sign-off reasons
    (``PersonalDataFound``)."""
    from improvement.plan import PlanRegisterError

    if plan is not None and (problems := plan_register_problems(guard, plan)):
        raise PlanRegisterError(plan.path, problems)
    fields = {field_label(key): text for key, text in (commentary or {}).items()}
    fields[field_label("caveats")] = "\n".join(caveats)
    for boxes in (signoff or {}).values():
        for box in boxes:
            fields[f"the reason recorded at {box.step}"] = box.reason
    hits = guard.check(fields)
    if hits:
        raise PersonalDataFound(hits, "no pack was rendered")


def check_rendered(
    guard: PersonalDataGuard, rendered: Sequence[RenderedPack], *, read_pdfs: bool = False
) -> None:
    """Scan every written pack: its HTML file and the HTML its PDF is drawn from, and with
    ``read_pdfs`` the PDF file's own text (done where a pack is published).
    On any hit remove them all and raise, so no file holding personal data is left."""
    paths = [p for pack in rendered for p in (pack.html_path, pack.pdf_path) if p is not None]
    hits = []
    try:
        for pack in rendered:
            scanned = [(pack.html_path.name, pack.html_path.read_bytes())]
            if pack.print_html:
                scanned.append((f"{pack.html_path.stem}.print.html", pack.print_html.encode()))
            if read_pdfs and pack.pdf_path is not None:
                scanned.append((pack.pdf_path.name, pack.pdf_path.read_bytes()))
            hits += [hit for name, data in scanned if (hit := guard.scan_file(name, data))]
    except UnreadableFile:
        _remove(paths)
        raise
    if hits:
        _remove(paths)
        raise PersonalDataFound(hits, "the rendered packs were removed and nothing was published")


def _remove(paths: Iterable[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


ERROR_LINE_LENGTH = 300
QUOTED = re.compile(r"""'[^']*'|"[^"]*"|`[^`]*`""")


def screened_error(exception: BaseException | str | None) -> str:
    """The first line of the error, fit for the performance team's channel: quoted values
    (where database drivers and parsers echo the data they choked on) become '…', and a line
    that still holds anything shaped like a person's id or a date of birth is withheld. The
    whole error stays in the task's log, behind Airflow's access control."""
    if exception is None:
        return "no error was given (see the task's log)"
    text = str(exception).strip()
    line = text.splitlines()[0] if text else ""
    if isinstance(exception, BaseException):
        line = f"{type(exception).__name__}: {line}" if line else type(exception).__name__
    line = QUOTED.sub("'…'", line)
    if len(line) > ERROR_LINE_LENGTH:
        line = line[: ERROR_LINE_LENGTH - 1] + "…"
    kinds = PersonalDataGuard.shapes_only().kinds_in(line)
    if kinds:
        return (
            f"the error's first line is withheld because it holds {kinds[0]} (see the task's log)"
        )
    return line
