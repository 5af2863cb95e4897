"""Emails to creators about co-creator invitations and related works, sent after the write commits."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string

from fanfold.core.text import single_line

logger = logging.getLogger(__name__)


def site_url(path: str) -> str:
    """A full address for an email; SITE_URL is the archive's public origin, when set."""
    return settings.SITE_URL + path


def email_after_commit(*, addresses: list[str], subject: str, template: str, context: dict) -> None:
    """Email each address once the transaction commits: a slow or failing mail server never holds a lock,
    and never costs the person their page (a failure is logged)."""
    addresses = sorted({address for address in addresses if address})
    if not addresses:
        return
    message = render_to_string(template, {"site_name": settings.SITE_NAME, **context})
    subject = single_line(f"[{settings.SITE_NAME}] {subject}")

    def send() -> None:
        for address in addresses:
            try:
                send_mail(subject=subject, message=message, from_email=None, recipient_list=[address])
            except Exception:
                logger.exception("Could not send the email %r", subject)

    transaction.on_commit(send)
