"""The reference copies in ``tests/reference/`` are the shared reference they came from."""

from pathlib import Path

import pytest

COPIES = Path(__file__).resolve().parents[1] / "reference"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "reference"


@pytest.mark.parametrize("name", ["ssd-schema.md", "measures.md"])
@pytest.mark.skipif(not SHARED.exists(), reason="no shared reference beside this checkout")
def test_a_reference_copy_matches_the_shared_reference(name):
    assert (COPIES / name).read_text() == (SHARED / name).read_text(), (
        f"shared/reference/{name} has changed: copy it to tests/reference/ and update the code"
    )
