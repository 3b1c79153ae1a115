"""docs/deployment.md: its commands that generate the secrets make a .env that docker-compose
accepts and airflow-init's checks pass."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
import yaml

from tests.deploy.helpers import (
    CASE_SYSTEM_URL,
    ENV_EXAMPLE,
    ROOT,
    SECRETS,
    environment,
    load_airflow_init,
    read_env_file,
    run_config,
)

MARKER = "<!-- tests/deploy/test_docs.py runs this block on a copy of .env.example -->"


def generate_secrets_block() -> str:
    text = (ROOT / "docs" / "deployment.md").read_text()
    assert MARKER in text, "the marked block is gone from docs/deployment.md"
    after = text.split(MARKER, 1)[1]
    block = re.search(r"```bash\n(.*?)\n\s*```", after, re.DOTALL).group(1)
    return "\n".join(line.removeprefix("   ") for line in block.splitlines())


def test_the_documented_secret_generation_fills_every_secret(tmp_path):
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    env_file = tmp_path / ".env"
    shutil.copy(ENV_EXAMPLE, env_file)
    script = generate_secrets_block()
    subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=tmp_path, check=True)
    first = env_file.read_text()
    subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=tmp_path, check=True)
    assert env_file.read_text() == first, "a second run must change nothing"
    values = read_env_file(env_file)
    for name in SECRETS:
        if name != "CASE_SYSTEM_PASSWORD":  # the council's own, filled in by hand
            assert values[name], f"{name} is still empty"
    # The rest, by hand, as step 3 says; then docker-compose accepts it and the checks pass.
    text = env_file.read_text()
    text = text.replace("\nCASE_SYSTEM_URL=\n", f"\nCASE_SYSTEM_URL={CASE_SYSTEM_URL}\n")
    text = text.replace("\nCASE_SYSTEM_PASSWORD=\n", "\nCASE_SYSTEM_PASSWORD=case-system-pw\n")
    env_file.write_text(text)
    result = run_config(env_file, tmp_path)
    assert result.returncode == 0, result.stderr
    init_env = environment(yaml.safe_load(result.stdout)["services"]["airflow-init"])
    assert load_airflow_init().check(init_env) == []
