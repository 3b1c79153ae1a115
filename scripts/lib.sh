# Shared by scripts/demo and scripts/test: the virtual environment and the demo's Airflow settings.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"

ensure_venv() {
  local python="${PYTHON:-python3}"
  if ! "$python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
    echo "Python 3.11 is required (found $("$python" --version 2>&1)); set PYTHON=/path/to/python3.11" >&2
    exit 1
  fi
  [ -x "$VENV/bin/python" ] || "$python" -m venv "$VENV"
  # Reinstall only when the pins or the package metadata changed.
  local stamp="$VENV/.installed" want
  want="$(cat "$ROOT/requirements.txt" "$ROOT/pyproject.toml" | sha256sum | cut -d' ' -f1)"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "Installing pinned dependencies into $VENV (log: $VENV/install.log) ..."
    if ! { "$VENV/bin/python" -m pip install --disable-pip-version-check -r "$ROOT/requirements.txt" &&
           "$VENV/bin/python" -m pip install --disable-pip-version-check --no-deps -e "$ROOT"; } \
         > "$VENV/install.log" 2>&1; then
      tail -n 30 "$VENV/install.log" >&2
      echo "Installing the dependencies failed; see $VENV/install.log" >&2
      exit 1
    fi
    echo "$want" > "$stamp"
  fi
  export PATH="$VENV/bin:$PATH"
}

# The embedded default: SQLite case system, SQLite warehouse, Airflow on SQLite, all under the repo.
# Everything it creates is owner-only (umask 077): the case system and the warehouse hold names
# and dates of birth, Airflow's database the reviewers' commentary, the passwords file passwords.
# The DfE's validation rules (Data to Insight's validators) need pandas < 2, so they have an
# environment of their own, .venv-returns, with the exact pins of requirements-returns.txt;
# the weekly run's returns_readiness step runs them there (docs/returns.md).
RETURNS_VENV="$ROOT/.venv-returns"
ensure_returns_env() {
  local python="${PYTHON:-python3}"
  [ -x "$RETURNS_VENV/bin/python" ] || "$python" -m venv "$RETURNS_VENV"
  local stamp="$RETURNS_VENV/.installed" want
  want="$(sha256sum "$ROOT/requirements-returns.txt" | cut -d' ' -f1)"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "Installing the DfE validators' pins into $RETURNS_VENV (log: $RETURNS_VENV/install.log) ..."
    if ! "$RETURNS_VENV/bin/python" -m pip install --disable-pip-version-check \
         -r "$ROOT/requirements-returns.txt" > "$RETURNS_VENV/install.log" 2>&1; then
      tail -n 30 "$RETURNS_VENV/install.log" >&2
      echo "Installing the DfE validators failed; see $RETURNS_VENV/install.log" >&2
      exit 1
    fi
    echo "$want" > "$stamp"
  fi
}

demo_env() {
  umask 077
  export IMPROVEMENT_DATA_DIR="${IMPROVEMENT_DATA_DIR:-$ROOT/data}"
  export AIRFLOW_HOME="${AIRFLOW_HOME:-$ROOT/.airflow}"
  export AIRFLOW__CORE__DAGS_FOLDER="$ROOT/dags"
  export AIRFLOW__CORE__PLUGINS_FOLDER="$ROOT/plugins"
  export AIRFLOW__CORE__LOAD_EXAMPLES=False
  export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN="sqlite:///$AIRFLOW_HOME/airflow.db"
  # Airflow's audit log keeps "***" for what reviewers type, never the text (docs/security.md).
  export AIRFLOW__CORE__SENSITIVE_VAR_CONN_NAMES=params_input
  export AIRFLOW_CONN_CASE_SYSTEM="${AIRFLOW_CONN_CASE_SYSTEM:-{\"conn_type\": \"generic\", \"extra\": {\"sqlalchemy_url\": \"sqlite:///$IMPROVEMENT_DATA_DIR/case_system.sqlite\"}}}"
  export AIRFLOW_CONN_WAREHOUSE="${AIRFLOW_CONN_WAREHOUSE:-{\"conn_type\": \"generic\", \"extra\": {\"sqlalchemy_url\": \"sqlite:///$IMPROVEMENT_DATA_DIR/warehouse.sqlite\"}}}"
  # Demo reviewers of config/governance.yaml as simple-auth-manager users with the reviewer's
  # role (improvement.auth: answer their own steps, change no task's state), and the performance
  # team as admin. DEMO PASSWORDS ONLY: a council uses its own auth manager and users.
  export AIRFLOW__CORE__AUTH_MANAGER="improvement.auth.ReviewerAuthManager"
  export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS="performance_team:admin,analyst:user,head_of_service:user,chief_officer:user,improvement_director:user"
  export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE="$AIRFLOW_HOME/demo_passwords.json"
  mkdir -p "$IMPROVEMENT_DATA_DIR" "$AIRFLOW_HOME"
  [ -f "$AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE" ] ||
    echo '{"performance_team": "performance_team-password", "analyst": "analyst-password", "head_of_service": "head_of_service-password", "chief_officer": "chief_officer-password", "improvement_director": "improvement_director-password"}' \
      > "$AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"
  # Folders and files of an earlier demo, made before it was owner-only.
  chmod -R go-rwx "$IMPROVEMENT_DATA_DIR" "$AIRFLOW_HOME"
}

# Install Debian packages that are not installed yet (one apt run for all of them).
ensure_debian_packages() {
  local missing=() package
  for package in "$@"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  echo "Installing from the Debian packages: ${missing[*]} ..."
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

# WeasyPrint draws packs with Pango and the DejaVu fonts.
ensure_pack_libraries() {
  ensure_debian_packages libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core
}

# Tests start their own PostgreSQL server and Redis (the Celery broker of the Celery test), open
# packs in headless Chromium (Playwright, pinned in requirements.txt, drives the same
# /usr/bin/chromium through the Airflow UI; no browser is downloaded) and check
# docker-compose.yml with Debian's docker-compose (`docker-compose config`; no Docker engine).
# axe-core checks every pack in that Chromium through puppeteer-core: the npm packages pinned in
# package-lock.json, installed with `npm ci` (no browser is downloaded).
ensure_test_packages() {
  ensure_pack_libraries
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || ensure_debian_packages postgresql
  ensure_debian_packages chromium docker-compose redis-server
  command -v npm >/dev/null 2>&1 || ensure_debian_packages nodejs npm
  local stamp="$ROOT/node_modules/.installed" want
  want="$(sha256sum "$ROOT/package-lock.json" | cut -d' ' -f1)"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "Installing the pinned npm test packages (axe-core, puppeteer-core) ..."
    (cd "$ROOT" && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --ignore-scripts >/dev/null)
    echo "$want" > "$stamp"
  fi
}
