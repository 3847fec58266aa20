"""Files the library builds into the user cache (the dequantised base encoder, ONNX exports)
are built in a temporary folder and renamed into place when complete, recorded with a
SHA-256 per file, and checked against it on their first use in a process.

A build that is interrupted then leaves no folder that a later load takes for a finished
one, and a file changed or damaged on disk is an error naming it and how to rebuild, not
wrong scores. Checking costs one read of each file per process (see benchmarks/RESULTS.md,
"Reliability").
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import threading
from collections.abc import Callable
from pathlib import Path

logger = logging.getLogger(__name__)

CHECKSUMS_FILE = "CHECKSUMS.json"

_verified: set[str] = set()
_verified_lock = threading.Lock()


class CacheIntegrityError(ValueError):
    """A cached file does not match the checksum recorded when it was built."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def safe_name(name: str, limit: int = 64) -> str:
    """``name`` as one folder name: path separators, ``..`` and other characters outside
    letters, digits, ``.``, ``_`` and ``-`` replaced, so that a model's configured name can
    never lead a cache path out of the cache."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._")
    return cleaned[:limit] or "model"


def build_folder(folder: Path, build: Callable[[Path], None]) -> Path:
    """Run ``build`` on a fresh temporary folder next to ``folder``, record the checksums of
    what it wrote, and rename it to ``folder`` (replacing an older one). When another process
    finished the same folder first, its copy is kept."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = folder.with_name(f"{folder.name}.tmp{os.getpid()}-{threading.get_ident()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        build(tmp)
        checksums = {path.name: sha256_file(path) for path in sorted(tmp.iterdir()) if path.is_file()}
        (tmp / CHECKSUMS_FILE).write_text(json.dumps(checksums, indent=2) + "\n", encoding="utf-8")
        if folder.exists() and not (folder / CHECKSUMS_FILE).is_file():
            shutil.rmtree(folder)  # an unrecorded (older or unfinished) build
        try:
            tmp.rename(folder)
        except OSError:
            if not (folder / CHECKSUMS_FILE).is_file():
                raise
            logger.info("%s was built by another process meanwhile; using that one", folder)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    with _verified_lock:
        _verified.add(str(folder))
    return folder


def is_built(folder: Path) -> bool:
    """Whether ``folder`` is a finished, recorded build."""
    return (folder / CHECKSUMS_FILE).is_file()


def verify_folder(folder: Path) -> None:
    """Check every recorded file of ``folder`` against its SHA-256, once per process; a
    CacheIntegrityError names the first that differs and how to rebuild it."""
    with _verified_lock:
        if str(folder) in _verified:
            return
    recorded = json.loads((folder / CHECKSUMS_FILE).read_text(encoding="utf-8"))
    for name, expected in recorded.items():
        path = folder / name
        if not path.is_file() or sha256_file(path) != expected:
            state = "is missing" if not path.is_file() else "does not match the SHA-256 recorded when it was built"
            raise CacheIntegrityError(
                f"cached file {path} {state} (changed or damaged on disk); delete the folder {folder} "
                "and load the model again to rebuild it"
            )
    with _verified_lock:
        _verified.add(str(folder))


def forget_verified() -> None:
    """Check every folder again on its next use (for tests)."""
    with _verified_lock:
        _verified.clear()
