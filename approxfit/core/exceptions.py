"""The exceptions approxfit raises, and the warning it emits on non-convergence.

The command line catches :class:`ApproxfitError` only: an :class:`InputError`
becomes exit status 2 (bad usage or bad input), any other :class:`ApproxfitError`
exit status 1 (a computation that failed).  Anything else is a bug and is
allowed to surface as a traceback.
"""

from __future__ import annotations

__all__ = ["ApproxfitError", "ComputationError", "ConvergenceWarning", "InputError"]


class ApproxfitError(Exception):
    """Base class of every error approxfit raises on purpose."""

    exit_code = 1


class InputError(ApproxfitError, ValueError):
    """An argument a user gave is wrong; the message names it and what is allowed."""

    exit_code = 2


class ComputationError(ApproxfitError):
    """A computation failed (overflow, non-finite residuals, an infeasible programme)."""

    exit_code = 1


class ConvergenceWarning(UserWarning):
    """A fit stopped before it met its convergence criteria."""
