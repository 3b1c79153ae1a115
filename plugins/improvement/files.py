"""Folders and files the pipeline creates for personal data: owner-only, whatever the umask.

The embedded default keeps the case system's names and dates of birth in SQLite files and
staged extracts under the data directory, so what the pipeline creates there is readable by its
own account only (folders 0700, files 0600). Existing folders and files keep their modes: a
council's own locations are its to set.
"""

from __future__ import annotations

import os
from pathlib import Path

OWNER_ONLY_FOLDER = 0o700
OWNER_ONLY_FILE = 0o600


def private_folder(path: Path) -> Path:
    """``path`` and any missing parents, each created owner-only."""
    missing = []
    for folder in (path, *path.parents):
        if folder.exists():
            break
        missing.append(folder)
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=OWNER_ONLY_FOLDER)
        except FileExistsError:
            continue  # created meanwhile by another process
        os.chmod(folder, OWNER_ONLY_FOLDER)  # mkdir's mode is filtered by the umask
    return path


def private_file(path: Path) -> Path:
    """Create ``path`` empty and owner-only unless it exists (a new SQLite database opens an
    empty file as an empty database; its journal files take the database file's mode)."""
    private_folder(path.parent)
    try:
        handle = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, OWNER_ONLY_FILE)
    except FileExistsError:
        return path
    os.close(handle)
    return path


def write_private(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` owner-only, through a temporary file renamed over it, so a
    reader never sees half a file and a failed write leaves the earlier one."""
    private_folder(path.parent)
    temporary = path.with_name(f".{path.name}.part")
    handle = os.open(temporary, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, OWNER_ONLY_FILE)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, OWNER_ONLY_FILE)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path
