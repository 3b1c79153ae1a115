# The image every Airflow service of docker-compose.yml runs: the official Airflow image with the
# project's exact pins (requirements.txt), the project itself and what WeasyPrint needs to draw
# the PDF packs. Build: `docker compose build` (docs/deployment.md).
FROM apache/airflow:3.3.2-python3.11

SHELL ["/bin/bash", "-o", "pipefail", "-e", "-u", "-c"]

# WeasyPrint draws the packs with Pango and the DejaVu fonts (as scripts/lib.sh installs them
# for development). The folders that docker-compose.yml mounts named volumes on are made here,
# owned by the airflow user, because a new named volume starts as a copy of its mount point:
# the staging area (extracts: personal data) and the restricted lists are owner-only.
USER root
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && apt-get autoremove -yqq --purge \
    && apt-get clean \
    && rm -rf /var/lib/apt/lists/* \
    && install -d -o airflow -g root -m 0700 \
        /opt/improvement/data /opt/improvement/restricted /opt/airflow/auth \
    && install -d -o airflow -g root -m 0755 /opt/improvement/packs /opt/improvement/plan
USER airflow

# The exact pins the tests ran with. apache-airflow is named as well, as Airflow's image guide
# advises, so a pin that does not match the base image's Airflow fails here instead of
# replacing it. Then the providers the base image carries that the project does not pin are
# removed, so the Airflow providers in the image are exactly the tested ones.
COPY --chown=airflow:root requirements.txt /opt/project/requirements.txt
RUN pip install --no-cache-dir "apache-airflow==${AIRFLOW_VERSION}" -r /opt/project/requirements.txt \
    && pinned="$(sed -n 's/^\(apache-airflow-providers-[^=]*\)==.*/\1/p' /opt/project/requirements.txt)" \
    && unpinned="$(pip list --format=freeze \
        | sed -n 's/^\(apache-airflow-providers-[^=]*\)==.*/\1/Ip' | { grep -vixF "$pinned" || true; })" \
    && if [ -n "$unpinned" ]; then pip uninstall -y $unpinned; fi

# The DfE validators need pandas < 2, so they get an environment of their own, with the exact
# pins the tests ran them with; the weekly run's dfe_rules step runs in it (docs/returns.md).
COPY --chown=airflow:root requirements-returns.txt /opt/project/requirements-returns.txt
RUN python -m venv /opt/returns-venv \
    && /opt/returns-venv/bin/pip install --no-cache-dir -r /opt/project/requirements-returns.txt \
    && /opt/returns-venv/bin/python -c "import lac_validator.rules.ruleset_utils"

# The project. It is installed in editable mode on purpose: the package finds its SQL
# (sql/), templates (reports/) and configuration (config/) beside its source, so the source
# stays in /opt/project, where the DAG and plugins folders point (docker-compose.yml).
COPY --chown=airflow:root pyproject.toml /opt/project/pyproject.toml
COPY --chown=airflow:root plugins /opt/project/plugins
COPY --chown=airflow:root dags /opt/project/dags
COPY --chown=airflow:root sql /opt/project/sql
COPY --chown=airflow:root reports /opt/project/reports
COPY --chown=airflow:root config /opt/project/config
COPY --chown=airflow:root docker/init.sh docker/airflow_init.py /opt/project/docker/
RUN pip install --no-cache-dir --no-deps -e /opt/project \
    && python -m compileall -q /opt/project/plugins /opt/project/dags \
    && python -c "import improvement.cli, weasyprint, airflow.providers.celery.executors.celery_executor"

# The code is read-only for the user that runs it.
USER root
RUN chown -R root:root /opt/project && chmod -R go-w /opt/project
USER airflow
WORKDIR /opt/airflow
