"""The buttons of creators together and blocking change things by POST only: a GET is refused and changes
nothing, and a POST without the CSRF token is refused."""

import pytest
from django.urls import reverse

from fanfold.accounts.models import Block
from fanfold.works.models import Creatorship, Gift
from tests.test_methods import changed_tables, csrf_client, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared(make_work, writer, reader):
    work = make_work(writer, title="Shared")
    Creatorship.objects.create(work=work, pseud=reader.default_pseud, position=1)
    Gift.objects.create(work=work, pseud=reader.default_pseud)
    return work


def action_urls(work) -> list[str]:
    return [
        reverse("accounts:block", kwargs={"username": "writer"}),
        reverse("accounts:unblock", kwargs={"username": "writer"}),
        reverse("creators:leave", args=[work.pk]),
        reverse("creators:invitation_cancel", args=[work.pk]),
        reverse("creators:gift_refuse", args=[work.pk]),
    ]


def test_a_get_to_a_button_is_not_allowed_and_changes_nothing(shared, reader):
    client, _token = csrf_client(reader)
    before = snapshot()

    for url in action_urls(shared):
        assert client.get(url).status_code == 405, url

    assert changed_tables(before, snapshot()) == []


def test_a_post_without_the_csrf_token_is_refused(shared, reader):
    client, _token = csrf_client(reader)
    urls = action_urls(shared) + [
        reverse("creators:orphan_work", args=[shared.pk]),
        reverse("creators:orphan_all", kwargs={"username": "reader"}),
        reverse("creators:invitations", kwargs={"username": "reader"}),
        reverse("creators:related_requests", kwargs={"username": "reader"}),
        reverse("accounts:blocked_users"),
    ]
    before = snapshot()

    for url in urls:
        assert client.post(url, {"confirm": "yes", "username": "writer"}).status_code == 403, url

    assert changed_tables(before, snapshot()) == []
    assert not Block.objects.exists()


def test_the_same_buttons_work_with_the_token(shared, reader):
    client, token = csrf_client(reader)

    client.post(reverse("creators:gift_refuse", args=[shared.pk]), {"csrfmiddlewaretoken": token})
    client.post(reverse("creators:leave", args=[shared.pk]), {"csrfmiddlewaretoken": token})
    client.post(reverse("accounts:block", kwargs={"username": "writer"}), {"csrfmiddlewaretoken": token})

    assert Gift.objects.get().refused
    assert not Creatorship.objects.filter(pseud__user=reader).exists()
    assert Block.objects.filter(user=reader).exists()
