"""An auth manager as a council might configure one: Airflow's simple auth manager, except that
a user sees only the DAGs listed for them (the outsider: none). Used by the pack-route tests to
check that the routes ask the auth manager about the DAG, not only for a login."""

from __future__ import annotations

from airflow.api_fastapi.auth.managers.simple.simple_auth_manager import SimpleAuthManager

DAGS_BY_USER = {"outsider": frozenset()}  # users not listed see every DAG


class DagListAuthManager(SimpleAuthManager):
    def is_authorized_dag(self, *, method, user, access_entity=None, details=None) -> bool:
        allowed = DAGS_BY_USER.get(user.get_name())
        if allowed is not None and (details is None or details.id not in allowed):
            return False
        return super().is_authorized_dag(
            method=method, user=user, access_entity=access_entity, details=details
        )
