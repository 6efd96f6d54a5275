"""Errors a user can cause. Each carries one clear sentence meant to be shown as is."""

from __future__ import annotations


class UserError(Exception):
    """A problem the user can fix (bad input, missing or stale index, missing model).

    The CLI prints `str(error)` and exits non-zero; the app shows it as a message.
    """


class IndexNotReady(UserError):
    """The index on disk is missing, stale or corrupt. The message names the rebuild command."""


class ModelError(UserError):
    """The embedding model cannot be found or loaded."""
