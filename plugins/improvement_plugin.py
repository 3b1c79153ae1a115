"""The project's Airflow plugin: the governance packs in the UI and answers that mean what
they say. Loaded by the API server from the plugins folder; the logic is in the
``improvement`` package (``packs_app``, ``answers``)."""

from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin

from improvement.answers import AnswerRulesMiddleware
from improvement.packs_app import URL_PREFIX, create_packs_app


class ImprovementPlugin(AirflowPlugin):
    name = "improvement"
    fastapi_apps = [{"name": "packs", "app": create_packs_app(), "url_prefix": URL_PREFIX}]
    fastapi_root_middlewares = [{"name": "answer_rules", "middleware": AnswerRulesMiddleware}]
    external_views = [
        {
            "name": "Packs",
            "href": f"{URL_PREFIX}/",
            "destination": "nav",
            "url_route": "packs",
        }
    ]
