"""Writes of kudos, comments and hits."""

from fanfold.works.models import Work


def hit_record(*, work: Work, request) -> bool:
    """Count a visit: once per visitor per work per day, never for creators or drafts."""
    return False
