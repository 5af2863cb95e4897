"""What the work posting and edit pages ask of series: the "Add to series" choice, and acting on it."""

import logging

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import DatabaseError

from fanfold.series import selectors, services

logger = logging.getLogger(__name__)


def work_form_series_context(series_form, work=None, *, viewer=None) -> dict:
    """What `series/_work_form_series.html` shows on a work's posting or edit form."""
    places = selectors.work_series_places(work=work, viewer=viewer) if work is not None else []
    return {"series_form": series_form, "series_places": places}


def work_series_join_from_form(request, series_form, work) -> None:
    """After the work is saved: add it to the series chosen on the form. The work is kept whatever happens
    here, so a failure is a message, not the form again (sending it again would post the work twice)."""
    if not series_form.wanted:
        return
    try:
        series = services.work_series_join(
            work=work,
            user=request.user,
            series=series_form.chosen_series(),
            new_title=series_form.cleaned_data.get("new_series_title") or "",
        )
    except ValidationError as error:
        messages.error(request, "The work was saved but not added to the series: " + " ".join(error.messages))
    except DatabaseError:
        logger.exception("Adding work %s to a series failed", work.pk)
        messages.error(request, "The work was saved but could not be added to the series just now; please try again.")
    else:
        messages.info(request, f"The work is part of the series “{series.title}”.")
