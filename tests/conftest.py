"""Shared fixtures: run the command line in-process or as a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass

import pytest


@dataclass
class Run:
    """The outcome of one ``approxfit`` invocation."""

    code: int
    out: str
    err: str

    def json(self):
        """stdout parsed as one JSON document."""
        return json.loads(self.out)


def run_cli(*args: str, timeout: float = 120) -> Run:
    """Run ``python -m approxfit ARGS`` in a subprocess (as a user would)."""
    proc = subprocess.run([sys.executable, "-m", "approxfit", *args], capture_output=True,
                          text=True, timeout=timeout)
    return Run(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def cli():
    """The :func:`run_cli` helper as a fixture."""
    return run_cli
