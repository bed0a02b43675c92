"""The one error the progress store raises."""

from __future__ import annotations


class StoreError(Exception):
    """The progress store cannot be used; the message says why and what to do."""
