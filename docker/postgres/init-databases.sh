#!/usr/bin/env bash
# Run by the postgres image once, when its data volume is new (/docker-entrypoint-initdb.d):
# Airflow's metadata database and the warehouse become separate databases, each owned by a role
# of its own, and no other role may connect to either. The superuser (POSTGRES_USER) creates
# them and is used for nothing else. Changing a password later: docs/deployment.md.
set -eo pipefail
: "${AIRFLOW_DB_PASSWORD:?is not set}" "${WAREHOUSE_DB_PASSWORD:?is not set}"

psql -v ON_ERROR_STOP=1 --no-psqlrc \
  --username "${POSTGRES_USER:-postgres}" --dbname "${POSTGRES_DB:-postgres}" \
  --set=airflow_password="$AIRFLOW_DB_PASSWORD" \
  --set=warehouse_password="$WAREHOUSE_DB_PASSWORD" <<'SQL'
CREATE ROLE airflow LOGIN PASSWORD :'airflow_password';
CREATE DATABASE airflow OWNER airflow;
REVOKE ALL ON DATABASE airflow FROM PUBLIC;

CREATE ROLE warehouse LOGIN PASSWORD :'warehouse_password';
CREATE DATABASE warehouse OWNER warehouse;
REVOKE ALL ON DATABASE warehouse FROM PUBLIC;
SQL
echo "Created the databases airflow and warehouse, each owned by its own role"
