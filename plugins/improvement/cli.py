"""``improvement``: the project's command line (demo case system, warehouse migrations).

Defaults are the embedded SQLite files under the data directory (``IMPROVEMENT_DATA_DIR``).
A command builds the council's context (``council_context``) once, from the environment, and
passes it down.
A wrong input (a month that is not ``YYYY-MM``, an unknown group, no snapshot for the month)
ends in one line saying what is wrong and what to do, and exit code 2; never a traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from pathlib import Path

import sqlalchemy as sa

from improvement.settings import load_settings


class CommandError(Exception):
    """A wrong input or a missing prerequisite, told in one line (exit code 2)."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a mistake on the command line is one line, not the usage block."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def month_argument(text: str) -> dt.date:
    """``YYYY-MM`` as that month's last day."""
    from improvement.measures.asat import month_end

    if not re.fullmatch(r"\d{4}-\d{2}", text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a month: give YYYY-MM, e.g. 2026-10")
    try:
        return month_end(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a month: the month must be 01 to 12, e.g. 2026-10"
        ) from None


def date_argument(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date: give YYYY-MM-DD, e.g. 2026-11-15"
        ) from None


def snapshot_key_argument(text: str) -> str:
    """A snapshot key, ``weekly/YYYY-MM-DD``: the part after the last ``/`` is its date."""
    try:
        dt.date.fromisoformat(text.rsplit("/", 1)[-1])
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a snapshot key: give weekly/YYYY-MM-DD, e.g. weekly/2026-11-15 "
            "(`improvement show-snapshot` shows the latest)"
        ) from None
    return text


def _check_groups(requested: list[str] | None, known: dict) -> None:
    unknown = [group for group in requested or () if group not in known]
    if unknown:
        raise CommandError(
            f"no governance group {', '.join(map(repr, unknown))}; the groups are: "
            + ", ".join(known)
        )


def _snapshot_for(engine: sa.Engine, period_end: dt.date) -> str:
    """The key of the snapshot the month's packs are drawn from; none is a ``CommandError``."""
    from improvement.reports.figures import find_snapshot

    with engine.connect() as conn:
        try:
            return find_snapshot(conn, period_end, None).snapshot_key
        except LookupError as error:
            raise CommandError(
                f"{error} (the weekly_performance run for the week containing {period_end}, "
                "or `improvement measure --key weekly/<date>` after it)"
            ) from None


def _last_sunday(today: dt.date) -> dt.date:
    return today - dt.timedelta(days=today.isoweekday() % 7 or 7)


def default_case_system_url() -> str:
    return f"sqlite:///{load_settings().data_dir / 'case_system.sqlite'}"


def default_warehouse_url() -> str:
    return f"sqlite:///{load_settings().data_dir / 'warehouse.sqlite'}"


def _generate(args: argparse.Namespace) -> None:
    from improvement.generator import format_summary, generate_county, load_case_system
    from improvement.generator.plan import write_plan_register

    county = generate_county(
        seed=args.seed, as_of=args.as_of, scale=args.scale, judgement_date=args.judgement_date
    )
    load_case_system(county, args.url, schema=args.schema)
    print(format_summary(county))
    print(f"Case system written to {sa.make_url(args.url).render_as_string(hide_password=True)}")
    plan = write_plan_register(
        args.plan_register or load_settings().plan_register_path, args.seed, args.as_of
    )
    print(f"Improvement-plan register written to {plan}")


def _warehouse_upgrade(args: argparse.Namespace) -> None:
    from improvement.connections import DatabaseTarget
    from improvement.council_context import council_context
    from improvement.region import load_region
    from improvement.warehouse.migrate import upgrade_warehouse

    if args.councils:  # every council's warehouse, from its Airflow connection
        targets = [
            (f"{c.council_id}: warehouse", council_context(c.council_id).warehouse())
            for c in load_region().councils
        ]
    else:
        targets = [("Warehouse", DatabaseTarget(sa.make_url(args.url), search_path=args.schema))]
    for label, target in targets:
        target.create_schema()
        revision = upgrade_warehouse(target.engine())
        print(f"{label} {target.describe()} is at revision {revision}")


def _refresh_calendar(args: argparse.Namespace) -> None:
    from improvement.connections import DatabaseTarget
    from improvement.warehouse.calendar import refresh_calendar
    from improvement.warehouse.migrate import require_current

    target = DatabaseTarget.from_url(args.url)
    engine = target.engine()
    require_current(engine)
    with engine.begin() as conn:
        days = refresh_calendar(conn)
    print(f"Calendar of {days:,} days rewritten in {target.describe()}")


def _fail(message: str) -> None:
    """A command-line mistake: one line on stderr, exit code 2, no traceback."""
    print(f"improvement: {message}", file=sys.stderr)
    raise SystemExit(2)


def _measure(args: argparse.Namespace) -> None:
    from improvement.connections import DatabaseTarget
    from improvement.council_context import council_context
    from improvement.county import ConfigError
    from improvement.measures.asat import history_dates, week_dates
    from improvement.measures.run import measure_as_at
    from improvement.warehouse.migrate import require_current

    if args.history and args.as_at:
        _fail("give --history or --as-at, not both")
    snapshot_date = dt.date.fromisoformat(args.key.rsplit("/", 1)[-1])  # snapshot_key_argument
    council = council_context()
    try:
        config = council.county
    except ConfigError as error:
        _fail(str(error))
    target = DatabaseTarget.from_url(args.url)
    engine = target.engine()
    require_current(engine)
    if args.as_at:
        dates = sorted(set(args.as_at))
    else:
        dates = history_dates(snapshot_date) if args.history else week_dates(snapshot_date)
    try:
        limits = council.settings.workspace
        run, left_out = measure_as_at(engine, args.key, council.catalogue, config, dates, limits)
    except LookupError as error:
        _fail(f"{error}: `improvement show-snapshot` shows the latest")
    except ValueError as error:
        _fail(str(error))
    print(
        f"{run.measures} measures for {len(run.as_at_dates)} as-at date(s) from {args.key}: "
        f"{run.rows:,} results (load {run.load_seconds:.1f} s, compute {run.compute_seconds:.1f} s)"
    )
    if left_out:
        print(
            f"  left out (current-state measures, which describe {snapshot_date} only): "
            f"{', '.join(left_out)}"
        )
    for unknown in run.unknown_codes:
        print(f"  unmapped code values: {unknown} (see improvement unmapped-codes)")


def _unmapped_codes(args: argparse.Namespace) -> None:
    from improvement.connections import DatabaseTarget
    from improvement.council_context import council_context
    from improvement.county import ConfigError
    from improvement.warehouse.migrate import require_current
    from improvement.warehouse.report import describe_unmapped_codes

    try:
        codes = council_context().county.codes
    except ConfigError as error:
        _fail(str(error))
    engine = DatabaseTarget.from_url(args.url).engine()
    require_current(engine)
    try:
        print(describe_unmapped_codes(engine, args.key, codes))
    except LookupError as error:
        _fail(str(error))


def _catalogue(args: argparse.Namespace) -> None:
    from improvement.council_context import council_context
    from improvement.measures.catalogue import catalogue_markdown

    print(catalogue_markdown(council_context().catalogue), end="")


def _show_snapshot(args: argparse.Namespace) -> None:
    from improvement.connections import DatabaseTarget
    from improvement.council_context import council_context
    from improvement.measures.summary import describe_measures
    from improvement.warehouse.migrate import require_current
    from improvement.warehouse.report import describe_snapshot

    target = DatabaseTarget.from_url(args.url)
    engine = target.engine()
    require_current(engine)
    print(describe_snapshot(engine, args.key))
    if args.key:
        print(describe_measures(engine, args.key, council_context().catalogue))
    print(f"Warehouse: {target.describe()}")


def _refused_extracts(args: argparse.Namespace) -> None:
    from improvement.connections import DatabaseTarget
    from improvement.warehouse.migrate import require_current
    from improvement.warehouse.report import describe_rejections

    engine = DatabaseTarget.from_url(args.url).engine()
    require_current(engine)
    print(describe_rejections(engine, args.since))


def _clean_staging(args: argparse.Namespace) -> None:
    from improvement.extract import remove_stale_partials

    staging = load_settings().staging_dir
    cadences = sorted(p for p in staging.iterdir() if p.is_dir()) if staging.is_dir() else []
    removed = [f"{folder.name}/{stale.name}" for folder in cadences
               for stale in remove_stale_partials(folder)]  # fmt: skip
    if not removed:
        print("No unfinished extracts in the staging area.")
        return
    noun = "extract" if len(removed) == 1 else "extracts"
    print(f"Removed {len(removed)} unfinished {noun}: {', '.join(removed)}")


def _check_plan(args: argparse.Namespace) -> None:
    from improvement.council_context import council_context
    from improvement.plan import PlanRegisterError, load_plan_register

    council = council_context()
    try:
        register = load_plan_register(
            args.path or council.settings.plan_register_path, council.catalogue
        )
    except PlanRegisterError as error:
        print(error, file=sys.stderr)
        raise SystemExit(2) from None
    print(f"{register.path}: {register.summary(args.as_at)}")


def _render_packs(args: argparse.Namespace) -> None:
    from improvement.connections import DatabaseTarget
    from improvement.council_context import council_context
    from improvement.personal_data import PersonalDataFound, guard_for_snapshot
    from improvement.plan import PlanRegisterError
    from improvement.reports.packs import render_month
    from improvement.warehouse.migrate import require_current

    council = council_context()
    settings = council.settings
    period_end = args.month
    _check_groups(args.group, council.groups)
    target = DatabaseTarget.from_url(args.url)
    engine = target.engine()
    require_current(engine)
    snapshot_key = _snapshot_for(engine, period_end)
    directory = settings.packs_dir / f"{period_end:%Y-%m}" / "draft"
    try:
        rendered = render_month(
            engine, period_end, directory, council,
            dt.datetime.now(dt.UTC), group_ids=args.group, snapshot_key=snapshot_key,
            pdf=not args.no_pdf, guard=guard_for_snapshot(engine, snapshot_key, council),
        )  # fmt: skip
    except (PersonalDataFound, PlanRegisterError) as error:
        print(error, file=sys.stderr)
        raise SystemExit(2) from None
    for pack in rendered:
        files = ", ".join(p.name for p in (pack.html_path, pack.pdf_path) if p is not None)
        print(f"{pack.group_id:<26}{'public' if pack.public else 'internal':<10}{files}")
    print(f"Draft packs for {period_end:%B %Y} in {directory}")


def _export_sign_off(args: argparse.Namespace) -> None:
    import json

    from improvement.connections import DatabaseTarget
    from improvement.signoff import export_record
    from improvement.warehouse.migrate import require_current

    target = DatabaseTarget.from_url(args.url)
    engine = target.engine()
    require_current(engine)
    record = export_record(engine, args.month)
    if not record:
        raise CommandError(
            f"no sign-off record for {args.month:%B %Y} in {target.describe()}: "
            "its monthly_governance run has not reached a review step"
        )
    print(json.dumps(record, indent=2))


def _benchmarks_import(args: argparse.Namespace) -> None:
    from pathlib import Path

    from improvement.benchmarks import BenchmarkError, import_files

    try:
        imported = import_files([Path(p) for p in args.files], args.into)
    except BenchmarkError as error:
        print(error, file=sys.stderr)
        raise SystemExit(2) from None
    for result in imported:
        years = sorted({year for _, year in result.by_measure_year})
        measures = sorted({measure for measure, _ in result.by_measure_year})
        print(f"{result.path.name}: {result.added} rows added, {result.replaced} replaced "
              f"({len(measures)} measures: {', '.join(measures)}; years "
              f"{', '.join(map(str, years))})")  # fmt: skip


def _backfill(args: argparse.Namespace) -> None:
    from improvement import backfill

    try:
        weekly_dag, monthly_dags = backfill.dag_ids(args.council)
        weekly = backfill.weeks(args.first_week, args.last_week, args.max_active_runs, weekly_dag)
    except ValueError as error:
        raise CommandError(str(error)) from None
    monthly = [backfill.months_in(weekly, dag_id) for dag_id in monthly_dags] if args.months else []
    monthly = [window for window in monthly if window is not None]
    for window in (weekly, *monthly):
        periods = ", ".join(day.isoformat() for day in window.periods)
        print(f"{window.dag_id}: {len(window.periods)} run(s), for {periods}")
        print("  " + " ".join(window.command(args.dry_run)))
    if args.months and not monthly:
        print("No month ends within those weeks: no monthly run to recompute.")
    print(backfill.create(weekly, args.dry_run), end="")
    if args.dry_run:
        for window in monthly:
            print(backfill.create(window, dry_run=True), end="")
        return
    if not monthly and not args.wait:
        print("Backfill created: the scheduler runs the weeks one at a time.")
        return
    states = backfill.wait(weekly.dag_id, args.timeout)
    print(f"{weekly.dag_id} backfill finished: {states}")
    if states.get("failed"):
        print("Some weeks failed: fix them before recomputing the months.", file=sys.stderr)
        raise SystemExit(1)
    for window in monthly:
        backfill.create(window)
        print(
            f"{window.dag_id} backfill created: packs whose content changed wait for review "
            "and sign-off (Required actions); unchanged packs keep theirs."
        )


def collection_year_argument(text: str):
    """A collection year by the year it ends in: 2026 is April 2025 to March 2026."""
    from improvement.returns.collection_year import CollectionYear

    if not (text.isdigit() and len(text) == 4):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a collection year: give the year it ends in, e.g. 2026 for 2025/26"
        )
    return CollectionYear(int(text))


def _export_returns(args: argparse.Namespace) -> None:
    from improvement.connections import DatabaseTarget
    from improvement.council_context import council_context
    from improvement.returns.export import export_returns
    from improvement.warehouse.migrate import require_current

    council = council_context()
    engine = DatabaseTarget.from_url(args.url).engine()
    require_current(engine)
    try:
        exported = export_returns(engine, args.year, Path(args.out), council.county.codes, args.key)
    except LookupError as error:
        _fail(f"{error}: `improvement show-snapshot` shows the latest")
    print(
        f"SSDA903 {exported.year.label} from {exported.snapshot_key} "
        f"(owner-only, child-level: keep it in the restricted area):"
    )
    for name, path in exported.files.items():
        print(f"  {name}: {exported.rows[name]:,} rows  {path}")
    if not exported.year_complete:
        print(
            f"  The year ends on {exported.year.end}, after this snapshot: the files hold the "
            "year so far."
        )


def _returns_check(args: argparse.Namespace) -> None:
    from improvement.connections import DatabaseTarget
    from improvement.council_context import council_context
    from improvement.returns.readiness import (
        WORKLIST_FOLDER,
        prepare_returns,
        record_readiness,
        run_dfe_rules,
    )
    from improvement.warehouse.migrate import require_current

    council = council_context()
    settings = council.settings
    engine = DatabaseTarget.from_url(args.url).engine()
    require_current(engine)
    try:
        work = prepare_returns(engine, args.key, council.county, settings)
    except LookupError as error:
        _fail(f"{error}: `improvement show-snapshot` shows the latest")
    run_dfe_rules(work)
    readiness = record_readiness(
        engine, work, council.county, settings.restricted_dir, dt.datetime.now(dt.UTC),
        settings.workspace,
    )  # fmt: skip
    rules = readiness.rules
    print(
        f"SSDA903 {readiness.collection_year} from {args.key}, {readiness.package}: "
        f"{sum(rules.values())} rules ({rules['ran']} ran, {rules['not_applicable']} not "
        f"applicable, {rules['crashed']} crashed: {', '.join(readiness.crashed) or 'none'}); "
        f"{readiness.failing_records:,} failing records"
    )
    for team, count in readiness.by_team.items():
        print(f"  {team}: {count:,}")
    worklists = settings.restricted_dir / work.snapshot_date / WORKLIST_FOLDER
    print(f"Team worklists (restricted): {worklists}")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="improvement", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    generate = commands.add_parser("generate", help="write the synthetic county case system")
    generate.add_argument("--seed", type=int, default=2020)
    generate.add_argument(
        "--as-of",
        type=date_argument,
        default=_last_sunday(dt.date.today()),
        help="last day of the six years of history (default: last Sunday)",
    )
    generate.add_argument(
        "--scale", type=float, default=1.0, help="1.0 is a ~5,000-referral county"
    )
    generate.add_argument(
        "--judgement-date",
        type=date_argument,
        default=None,
        help="date of the Ofsted judgement (default: 18 months into the six-year window)",
    )
    generate.add_argument("--url", default=None, help="SQLAlchemy URL (default: embedded SQLite)")
    generate.add_argument("--schema", default=None, help="schema to create the SSD tables in")
    generate.add_argument(
        "--plan-register", default=None, help="where to write the demo improvement-plan register"
    )
    generate.set_defaults(handler=_generate, default_url=default_case_system_url)

    upgrade = commands.add_parser("warehouse-upgrade", help="apply the warehouse migrations")
    upgrade.add_argument("--url", default=None, help="SQLAlchemy URL (default: embedded SQLite)")
    upgrade.add_argument(
        "--schema", default=None, help="the warehouse's own schema (PostgreSQL; regional mode)"
    )
    upgrade.add_argument(
        "--councils", action="store_true",
        help="regional mode: every council's warehouse, from its Airflow connection",
    )  # fmt: skip
    upgrade.set_defaults(handler=_warehouse_upgrade, default_url=default_warehouse_url)

    calendar = commands.add_parser(
        "calendar-refresh", help="rewrite the working-day calendar from the holidays package"
    )
    calendar.add_argument("--url", default=None, help="SQLAlchemy URL (default: embedded SQLite)")
    calendar.set_defaults(handler=_refresh_calendar, default_url=default_warehouse_url)

    measure = commands.add_parser("measure", help="compute the measures from a stored snapshot")
    measure.add_argument(
        "--key", required=True, type=snapshot_key_argument,
        help="snapshot key, e.g. weekly/2026-11-15",
    )  # fmt: skip
    measure.add_argument(
        "--history", action="store_true", help="also the 104 weekly and 24 month-end dates before"
    )
    measure.add_argument(
        "--as-at", action="append", type=date_argument, default=[], metavar="YYYY-MM-DD",
        help="measure this date instead of the snapshot's week, on or before the snapshot's "
        "date (repeatable), e.g. 2026-03-31 for year-end figures",
    )  # fmt: skip
    measure.add_argument("--url", default=None, help="SQLAlchemy URL (default: embedded SQLite)")
    measure.set_defaults(handler=_measure, default_url=default_warehouse_url)

    unmapped = commands.add_parser(
        "unmapped-codes",
        help="list a snapshot's coded values that nothing maps, ready for code_mappings.yaml",
    )
    unmapped.add_argument(
        "--key", required=True, type=snapshot_key_argument,
        help="snapshot key, e.g. weekly/2026-11-15",
    )  # fmt: skip
    unmapped.add_argument("--url", default=None, help="SQLAlchemy URL (default: embedded SQLite)")
    unmapped.set_defaults(handler=_unmapped_codes, default_url=default_warehouse_url)

    export = commands.add_parser(
        "export-returns", help="write a collection year's SSDA903 files from a stored snapshot"
    )
    export.add_argument(
        "--year", required=True, type=collection_year_argument,
        help="the year the collection ends in, e.g. 2026 for April 2025 to March 2026",
    )  # fmt: skip
    export.add_argument("--out", required=True, help="folder to write the files to (owner-only)")
    export.add_argument(
        "--key", default=None, type=snapshot_key_argument,
        help="snapshot key (default: the first taken after the year ended, else the latest)",
    )  # fmt: skip
    export.add_argument("--url", default=None, help="SQLAlchemy URL (default: embedded SQLite)")
    export.set_defaults(handler=_export_returns, default_url=default_warehouse_url)

    check = commands.add_parser(
        "returns-check",
        help="run the DfE's SSDA903 rules on a snapshot, as the weekly run does",
    )
    check.add_argument(
        "--key", required=True, type=snapshot_key_argument,
        help="snapshot key, e.g. weekly/2026-11-15",
    )  # fmt: skip
    check.add_argument("--url", default=None, help="SQLAlchemy URL (default: embedded SQLite)")
    check.set_defaults(handler=_returns_check, default_url=default_warehouse_url)

    catalogue = commands.add_parser("catalogue", help="print the measure catalogue as Markdown")
    catalogue.set_defaults(handler=_catalogue)

    show = commands.add_parser("show-snapshot", help="summarise a stored snapshot")
    show.add_argument("--key", default=None, help="e.g. weekly/2026-11-15 (default: latest)")
    show.add_argument("--url", default=None, help="SQLAlchemy URL (default: embedded SQLite)")
    show.set_defaults(handler=_show_snapshot, default_url=default_warehouse_url)

    refused = commands.add_parser(
        "refused-extracts", help="list the weekly extracts validation refused, and why"
    )
    refused.add_argument("--since", type=date_argument, default=None, help="YYYY-MM-DD")
    refused.add_argument("--url", default=None, help="SQLAlchemy URL (default: embedded SQLite)")
    refused.set_defaults(handler=_refused_extracts, default_url=default_warehouse_url)

    clean = commands.add_parser(
        "clean-staging",
        help="remove the partial extracts (personal data) that killed weekly runs left behind",
        description="Remove every partial extract in the staging area that no running extract "
        "holds: the leftovers of extracts killed part-way. Running extracts are left alone; each "
        "run's extract also does this for its own cadence when it starts.",
    )
    clean.set_defaults(handler=_clean_staging)

    check_plan = commands.add_parser(
        "check-plan", help="check the improvement-plan register (exit code 2 if it is wrong)"
    )
    check_plan.add_argument(
        "path", nargs="?", default=None, help="the register CSV (default: from the settings)"
    )
    check_plan.add_argument(
        "--as-at",
        type=date_argument,
        default=dt.date.today(),
        help="date overdue actions are counted at (default: today)",
    )
    check_plan.set_defaults(handler=_check_plan)

    packs = commands.add_parser(
        "render-packs", help="render the draft governance packs for a month (HTML and PDF)"
    )
    packs.add_argument(
        "--month", required=True, type=month_argument, help="the month reported on, e.g. 2026-10"
    )
    packs.add_argument(
        "--group", action="append", default=None, help="only this group (repeatable)"
    )
    packs.add_argument("--no-pdf", action="store_true", help="HTML only (faster)")
    packs.add_argument("--url", default=None, help="SQLAlchemy URL (default: embedded SQLite)")
    packs.set_defaults(handler=_render_packs, default_url=default_warehouse_url)

    export = commands.add_parser(
        "export-sign-off", help="print a month's sign-off record as JSON (for the DfE)"
    )
    export.add_argument(
        "--month", required=True, type=month_argument, help="the month reported on, e.g. 2026-10"
    )
    export.add_argument("--url", default=None, help="SQLAlchemy URL (default: embedded SQLite)")
    export.set_defaults(handler=_export_sign_off, default_url=default_warehouse_url)

    benchmarks = commands.add_parser(
        "benchmarks-import",
        help="add a DfE release to the published benchmarks (England, regions, councils)",
        description="Read each FILE (the long format of config/benchmarks/benchmarks.csv, an "
        "Explore Education Statistics underlying CSV, or a Local Authority Interactive Tool "
        "long-table CSV; config/benchmarks/layouts.yaml says which columns hold which measure) "
        "and add its rows to the benchmarks; a row for the same measure, year and area "
        "replaces the one there. Every file is checked before anything is written.",
    )
    benchmarks.add_argument("files", nargs="+", metavar="FILE")
    benchmarks.add_argument(
        "--into", default=None, help="the benchmarks folder (default: config/benchmarks)"
    )
    benchmarks.set_defaults(handler=_benchmarks_import)

    backfill = commands.add_parser(
        "backfill",
        help="recompute weeks (and their months) after a data fix, with Airflow's backfill",
        description="Create an Airflow backfill of weekly_performance for the weeks ending on "
        "the Sundays from --first-week to --last-week (--reprocess-behavior completed, one run "
        "at a time); with --months, then of monthly_governance for the months ending in those "
        "weeks. In regional mode: regional_weekly, then each council's (or --council's) "
        "monthly_governance__<id> and regional_monthly. Needs Airflow's scheduler running, and "
        "this machine's Airflow configuration.",
    )
    backfill.add_argument("--first-week", required=True, type=date_argument,
                          help="the Sunday ending the first week, e.g. 2026-09-27")  # fmt: skip
    backfill.add_argument("--last-week", required=True, type=date_argument,
                          help="the Sunday ending the last week, e.g. 2026-11-15")  # fmt: skip
    backfill.add_argument(
        "--months", action="store_true", help="then the months ending in those weeks"
    )
    backfill.add_argument("--wait", action="store_true", help="wait for the weeks to finish")
    backfill.add_argument(
        "--max-active-runs", type=int, default=1,
        help="weeks run at once (default 1; more only with a PostgreSQL warehouse)",
    )  # fmt: skip
    backfill.add_argument("--dry-run", action="store_true", help="list the runs, create nothing")
    backfill.add_argument(
        "--council", default=None,
        help="regional mode: the council whose months to recompute (default: every council)",
    )  # fmt: skip
    backfill.add_argument(
        "--timeout", type=float, default=6 * 3600, help="seconds to wait for the weeks"
    )
    backfill.set_defaults(handler=_backfill)
    return parser


def _expected_errors() -> tuple[type[Exception], ...]:
    """What a wrong input or an unready warehouse raises: told in one line, not a traceback."""
    from improvement.connections import ConnectionConfigError
    from improvement.county import ConfigError
    from improvement.governance import GovernanceConfigError
    from improvement.returns.readiness import ReturnsError
    from improvement.warehouse.migrate import WarehouseNotReady

    return (CommandError, WarehouseNotReady, GovernanceConfigError, ConfigError,
            ConnectionConfigError, ReturnsError, sa.exc.ArgumentError)  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "url", "") is None:
        args.url = args.default_url()
    try:
        args.handler(args)
    except _expected_errors() as error:
        print(f"{parser.prog} {args.command}: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
