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


def pytest_addoption(parser):
    parser.addoption("--all", action="store_true", default=False,
                     help="also run the slow tests: the comparisons with Sollya, degree-40 "
                          "fits, whole reruns of reproduce")


def pytest_collection_modifyitems(config, items):
    """Skip the tests marked ``slow`` or ``sollya`` unless ``--all`` is given (CI runs the
    fast selection; ``python -m pytest --all`` runs everything)."""
    if config.getoption("--all"):
        return
    skip = pytest.mark.skip(reason="slow: run with `python -m pytest --all`")
    for item in items:
        if "slow" in item.keywords or "sollya" in item.keywords:
            item.add_marker(skip)
