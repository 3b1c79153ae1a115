"""Weekly outputs' data: senior leaders' oversight lists, team managers' worklists (both
RESTRICTED) and the weekly performance digest (figures only). Definitions live in
``sql/lists/<id>/`` (``list.yaml`` + ``query.sql``); see ``docs/weekly-lists.md``."""

from improvement.lists.catalogue import ListDefinition, load_lists
from improvement.lists.digest import weekly_digest
from improvement.lists.weekly import ListError, WeeklyLists, compute_weekly_lists

__all__ = [
    "ListDefinition",
    "ListError",
    "WeeklyLists",
    "compute_weekly_lists",
    "load_lists",
    "weekly_digest",
]
