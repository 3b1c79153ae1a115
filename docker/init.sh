#!/usr/bin/env bash
# The airflow-init service of docker-compose.yml. Runs to completion before the other Airflow
# services start, at every `docker compose up`; every step is safe to repeat.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

echo "== Settings from .env"
python "$here/airflow_init.py" check

echo "== Airflow metadata database: migrations"
airflow db migrate

echo "== Warehouse: migrations"
# The URL (with the password) comes from the same connection the DAGs use; it is not echoed.
warehouse_url="$(python "$here/airflow_init.py" warehouse-url)"
improvement warehouse-upgrade --url "$warehouse_url"
unset warehouse_url
if [ -n "${IMPROVEMENT_REGION_CONFIG:-}" ]; then
  # Regional mode: each council's warehouse (its schema), from its own connection.
  improvement warehouse-upgrade --councils
fi

echo "== Users: passwords file of the simple auth manager"
python "$here/airflow_init.py" write-passwords

echo "== Ready"
