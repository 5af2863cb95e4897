"""Reads of kudos and comments for a work page."""

from fanfold.works.models import Chapter, Work


def work_feedback_context(*, request, work: Work, chapter: Chapter | None = None) -> dict:
    """Template context for `interactions/_work_feedback.html` on a work or chapter page."""
    return {}
