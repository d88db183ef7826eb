"""Faults of the disk that really fail, as root too: a directory that refuses new files
(`chattr +i` as root, mode 0500 otherwise), a directory where a file belongs, `/dev/full`."""

from __future__ import annotations

import contextlib
import os
import pathlib
import shutil
import subprocess
from collections.abc import Iterator

import pytest


@contextlib.contextmanager
def read_only(directory: pathlib.Path) -> Iterator[pathlib.Path]:
    """`directory` refusing every change to its entries while inside: nothing can be created,
    renamed or removed in it (files already there stay writable in place, as on a read-only
    bind mount they would not: tests write nothing in place)."""
    directory.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        if shutil.which("chattr") is None:
            pytest.skip("root ignores modes and chattr is missing")
        done = subprocess.run(["chattr", "+i", str(directory)], capture_output=True)
        if done.returncode != 0:
            pytest.skip(f"chattr +i failed here: {done.stderr.decode().strip()}")
        try:
            yield directory
        finally:
            subprocess.run(["chattr", "-i", str(directory)], check=True)
    else:
        mode = directory.stat().st_mode & 0o777
        directory.chmod(0o500)
        try:
            yield directory
        finally:
            directory.chmod(mode)


def tree(directory: pathlib.Path) -> dict[str, bytes]:
    """Every file under `directory` with its bytes: what "nothing changed" compares (an empty
    lock file, which only holds a lock, left out)."""
    return {str(path.relative_to(directory)): path.read_bytes()
            for path in sorted(directory.rglob("*"))
            if path.is_file() and not path.name.endswith(".lock")}
