"""Fixtures for kudos, comments and hits: rendering the work page's feedback partial on its own."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.test import RequestFactory

from fanfold.interactions.selectors import work_feedback_context


def page_request(path: str = "/", *, user=None, ip: str = "203.0.113.9", agent: str = "Reader/1.0"):
    request = RequestFactory().get(path, REMOTE_ADDR=ip, HTTP_USER_AGENT=agent)
    request.user = user or AnonymousUser()
    return request


def feedback_html(work, *, user=None, chapter=None, ip: str = "203.0.113.9") -> str:
    request = page_request(work.get_absolute_url(), user=user, ip=ip)
    context = work_feedback_context(request=request, work=work, chapter=chapter)
    return render_to_string("interactions/_work_feedback.html", context, request=request)


@pytest.fixture
def open_work(make_work, writer):
    """A posted work that guests may comment on."""
    return make_work(writer, title="Open Doors", comment_permission="everyone")
