"""The packs in Airflow's UI: a FastAPI app the project's Airflow plugin mounts in the API
server at ``/packs``, so a reviewer opens the exact draft a step asks about, and anyone allowed
to see the monthly DAG finds every month's packs and their sign-off, in the browser.

- ``/packs/`` lists, per monthly DAG the user may read: months, groups, review rounds, the
  sign-off state of each review and each group's publication status and meeting.
- ``/packs/<dag id>/<YYYY-MM>/<draft|review|published>/…`` serves a pack's HTML or PDF as
  rendered, or a round's folder as a list of its packs.

Behind Airflow's own authentication (the UI's session cookie or a bearer token) and
authorisation: the auth manager's ``is_authorized_dag`` for the DAG (GET), so a user who may
not see the DAG gets 403 and an anonymous request 401. Only ``.html`` and ``.pdf`` files under
the packs folder are served; the restricted folder of named lists never is, whatever the path
says (``..``, encoded slashes, symbolic links all resolve first and are checked after).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse

URL_PREFIX = "/packs"
MONTHLY_DAG = "monthly_governance"
SERVED_KINDS = ("draft", "review", "published")
SERVED_SUFFIXES = {".html": "text/html; charset=utf-8", ".pdf": "application/pdf"}
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class Folders:
    packs: Path
    restricted: Path


def monthly_dag_ids() -> dict[str, str | None]:
    """Each monthly sign-off DAG and its council (None: the single-council install)."""
    from improvement.region import load_region, region_configured

    if not region_configured():
        return {MONTHLY_DAG: None}
    return {f"{MONTHLY_DAG}__{c.council_id}": c.council_id for c in load_region().councils}


def _folders(council) -> Folders:
    return Folders(council.settings.packs_dir, council.settings.restricted_dir)


def servable(root: Folders, month: str, kind: str, rest: str) -> Path:
    """The file or folder a pack URL names, or 404: under ``<packs>/<month>/<kind>/``, never in
    the restricted folder or a hidden (staging) folder, and only HTML, PDF or a folder."""
    if not MONTH.match(month) or kind not in SERVED_KINDS:
        raise HTTPException(404, "No such pack")
    base = (root.packs / month / kind).resolve()
    target = (base / rest).resolve()
    inside = target == base or base in target.parents
    restricted = target == root.restricted or root.restricted in target.parents
    hidden = (
        any(part.startswith(".") for part in target.relative_to(base).parts) if inside else True
    )
    if not inside or restricted or hidden or not target.exists():
        raise HTTPException(404, "No such pack")
    if target.is_file() and target.suffix not in SERVED_SUFFIXES:
        raise HTTPException(404, "No such pack")
    return target


def pack_url(dag_id: str, packs_dir: Path, path: str | Path, base_url: str = "") -> str:
    """The URL of a file under the packs folder, as this app serves it."""
    relative = Path(path).resolve().relative_to(packs_dir.resolve())
    return f"{base_url.rstrip('/')}{URL_PREFIX}/{dag_id}/{relative.as_posix()}"


async def current_user(request: Request):
    from airflow.api_fastapi.auth.managers.base_auth_manager import COOKIE_NAME_JWT_TOKEN
    from airflow.api_fastapi.core_api.security import resolve_user_from_token

    header = request.headers.get("authorization", "")
    token = header[7:] if header.lower().startswith("bearer ") else None
    return await resolve_user_from_token(token or request.cookies.get(COOKIE_NAME_JWT_TOKEN))


CurrentUser = Annotated[Any, Depends(current_user)]


def may_read(user, dag_id: str) -> bool:
    from airflow.api_fastapi.app import get_auth_manager
    from airflow.api_fastapi.auth.managers.models.resource_details import DagDetails

    return get_auth_manager().is_authorized_dag(
        method="GET", details=DagDetails(id=dag_id), user=user
    )


def _allowed_council(user, dag_id: str) -> str | None:
    dags = monthly_dag_ids()
    if dag_id not in dags:
        raise HTTPException(404, "No such monthly DAG")
    if not may_read(user, dag_id):
        raise HTTPException(403, f"You may not see {dag_id}, so not its packs")
    return dags[dag_id]


def _listing(dag_id: str, month: str, kind: str, folder: Path, root: Folders) -> str:
    """A folder's packs and sub-folders: only what ``servable`` would serve."""
    base = root.packs / month / kind

    def shown(path: Path) -> bool:
        try:
            servable(root, month, kind, path.relative_to(base).as_posix())
        except HTTPException:
            return False
        return True

    rows = "".join(
        f'<li><a href="{html.escape(path.name)}{"/" if path.is_dir() else ""}">'
        f"{html.escape(path.name)}</a></li>"
        for path in sorted(folder.iterdir())
        if shown(path)
    )
    where = folder.relative_to(base.resolve()).as_posix()
    return _page(f"{dag_id}: {month} {kind} {where if where != '.' else ''}",
                 f"<ul>{rows or '<li>No packs here yet.</li>'}</ul>")  # fmt: skip


def _page(title: str, body: str) -> str:
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>body{{font-family:sans-serif;margin:1.5rem}}"
        "table{border-collapse:collapse}td,th{border:1px solid #bbb;padding:.3rem .5rem;"
        "text-align:left;vertical-align:top}</style></head><body>"
        f"<h1>{html.escape(title)}</h1>{body}</body></html>"
    )


def packs_overview(dag_id: str, council_id: str | None) -> str:
    """The Packs page's section for one DAG: every month's reviews and publications."""
    from improvement.council_context import council_context
    from improvement.packs_record import month_records

    council = council_context(council_id)
    root = _folders(council)
    engine = council.warehouse().engine()
    try:
        months = month_records(engine, council.groups)
    finally:
        engine.dispose()
    if not months:
        return f"<h2>{html.escape(dag_id)}</h2><p>No packs rendered yet.</p>"
    parts = [f"<h2>{html.escape(dag_id)}</h2>"]
    for month in months:
        parts.append(f"<h3>{month.period_end:%B %Y}</h3><table><thead><tr><th>Group</th>"
                     "<th>Review rounds</th><th>Sign-off</th><th>Publication</th>"
                     "<th>Meeting</th></tr></thead><tbody>")  # fmt: skip
        for group in month.groups:
            rounds = " ".join(
                f'<a href="{html.escape(pack_url(dag_id, root.packs, v.html_path))}">'
                f"{html.escape(v.label)}</a>"
                for v in group.versions
                if _exists(v.html_path) and _under(v.html_path, root.packs)
            )
            published = group.publication
            status, meeting = "not published", "–"
            if published is not None:
                status = html.escape(published["status"])
                location = published.get("location")
                if _exists(location) and _under(location, root.packs):
                    link = pack_url(dag_id, root.packs, published["location"])
                    status = f'<a href="{html.escape(link)}">{status}</a>'
                    pdf = Path(published["location"]).with_suffix(".pdf")
                    if pdf.exists():
                        status += (
                            f' (<a href="{html.escape(pack_url(dag_id, root.packs, pdf))}">PDF</a>)'
                        )
                if published.get("meeting_date"):
                    meeting = f"{published['meeting_date']:%-d %B %Y}"
            parts.append(
                f"<tr><td>{html.escape(group.name)}</td><td>{rounds or '–'}</td>"
                f"<td>{html.escape(group.sign_off)}</td><td>{status}</td><td>{meeting}</td></tr>"
            )
        parts.append("</tbody></table>")
    return "".join(parts)


def _exists(path: str | None) -> bool:
    return bool(path) and Path(path).exists()


def _under(path: str, folder: Path) -> bool:
    """Recorded under this packs folder (only those have a URL here)."""
    return folder.resolve() in Path(path).resolve().parents


def create_packs_app() -> FastAPI:
    app = FastAPI(title="Governance packs", docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/", response_class=HTMLResponse)
    def packs_page(user: CurrentUser) -> str:
        readable = [(d, c) for d, c in monthly_dag_ids().items() if may_read(user, d)]
        if not readable:
            raise HTTPException(403, "You may not see any monthly governance DAG")
        return _page("Governance packs", "".join(packs_overview(d, c) for d, c in readable))

    @app.get("/{dag_id}/{month}/{kind}/{rest:path}")
    def pack_file(dag_id: str, month: str, kind: str, rest: str, user: CurrentUser):
        from improvement.council_context import council_context

        root = _folders(council_context(_allowed_council(user, dag_id)))
        target = servable(root, month, kind, rest)
        if target.is_dir():
            return HTMLResponse(_listing(dag_id, month, kind, target, root))
        return FileResponse(target, media_type=SERVED_SUFFIXES[target.suffix])

    return app


def round_links(dag_id: str, packs_dir: Path, files: dict, base_url: str) -> dict:
    """Each group's pack links of a round: {"HTML": url, "PDF": url}."""
    return {
        group: {
            kind.upper(): pack_url(dag_id, packs_dir, path, base_url)
            for kind, path in paths.items()
            if path
        }
        for group, paths in files.items()
    }
