"""Airflow's simple auth manager with the role ``user`` narrowed to a reviewer's rights.

In the simple auth manager every change to a DAG's runs needs the role ``user``, whatever is
changed: answering a human-in-the-loop step, but also marking a task instance "success",
clearing it or triggering a run. So a reviewer able to answer their step could also mark the
Chief Officer's sign-off step done themselves (publication checks the sign-off record and
refuses, but the step should not be bypassable). Here the role ``user`` reads what a
``viewer`` reads and may change one thing only, the answer to a step assigned to them
(Airflow checks the assignment); ``op`` and ``admin`` keep every right of the simple auth
manager, for the performance team. Configured with
``AIRFLOW__CORE__AUTH_MANAGER=improvement.auth.ReviewerAuthManager`` (``docs/deployment.md``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from airflow.api_fastapi.auth.managers.models.resource_details import DagAccessEntity, DagDetails
from airflow.api_fastapi.auth.managers.simple.simple_auth_manager import (
    SimpleAuthManager,
    SimpleAuthManagerRole,
)
from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser

if TYPE_CHECKING:
    from airflow.api_fastapi.auth.managers.base_auth_manager import ResourceMethod


class ReviewerAuthManager(SimpleAuthManager):
    """The simple auth manager, in which the role ``user`` is a reviewer's."""

    def is_authorized_dag(
        self,
        *,
        method: ResourceMethod,
        user: SimpleAuthManagerUser,
        access_entity: DagAccessEntity | None = None,
        details: DagDetails | None = None,
    ) -> bool:
        is_reviewer = (user.role or "").upper() == SimpleAuthManagerRole.USER.name
        answering = method == "PUT" and access_entity == DagAccessEntity.HITL_DETAIL
        if is_reviewer and method != "GET" and not answering:
            return False
        return super().is_authorized_dag(
            method=method, user=user, access_entity=access_entity, details=details
        )
