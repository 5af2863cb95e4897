"""A creator's Related Works page and its emails ask the creator's viewer policy: a work by a user they muted,
under a tag they exclude, or that they may not open is a line that names nothing, which they can decline but
not approve; a draft that was never posted is not there at all."""

import pytest
from django.test import Client
from django.urls import reverse

from fanfold.accounts.services import mute_add, tag_exclusion_add
from fanfold.tags.models import Tag
from fanfold.works.models import RelatedWork, RelationStatus, Work
from fanfold.works.services import work_set_hidden
from tests.conftest import client_for
from tests.works.people import new_work_data
from tests.works.test_related_works import answer_with, decide, page, requests_page

pytestmark = pytest.mark.django_db

SECRET = "Secret Answer"
SUMMARY = "A summary nobody should read here"


@pytest.fixture
def translator(make_user):
    return make_user("translator")


@pytest.fixture
def parent(make_work, writer):
    return make_work(writer, title="The Original")


@pytest.fixture
def link(parent, translator) -> RelatedWork:
    answer_with(
        client_for(translator),
        translator,
        title=SECRET,
        parent_reference=str(parent.pk),
        freeforms="Angst",
        summary=SUMMARY,
    )
    return RelatedWork.objects.get()


def test_a_work_they_may_see_is_named_and_approved(link, writer, parent):
    shown = requests_page(client_for(writer), writer)
    assert SECRET in shown and "translator" in shown and 'value="approve"' in shown

    response = decide(client_for(writer), writer, link, "approve")

    link.refresh_from_db()
    assert response.status_code == 302 and link.status == RelationStatus.APPROVED
    assert SECRET in page(Client(), parent)


@pytest.mark.parametrize(
    "withhold, line",
    [
        (lambda writer, translator: mute_add(user=writer, muted=translator), "A request from a user you muted."),
        (
            lambda writer, translator: tag_exclusion_add(user=writer, tag=Tag.objects.get(name="Angst")),
            "A request from a work with a tag you exclude.",
        ),
    ],
    ids=["muted", "excluded"],
)
def test_a_work_they_chose_not_to_see_is_a_collapsed_line_to_decline(link, writer, translator, parent, withhold, line):
    withhold(writer, translator)
    client = client_for(writer)

    shown = requests_page(client, writer)

    assert line in shown and "The Original" in shown
    assert SECRET not in shown and SUMMARY not in shown and "translator" not in shown
    assert 'value="approve"' not in shown and "show on my work</button>" in shown

    refused = client.post(
        reverse("creators:related_requests", kwargs={"username": writer.username}),
        {"link_id": link.pk, "action": "approve"},
        follow=True,
    ).content.decode()
    link.refresh_from_db()
    assert link.status == RelationStatus.PENDING and "You can approve only a work you can see." in refused

    declined = client.post(
        reverse("creators:related_requests", kwargs={"username": writer.username}),
        {"link_id": link.pk, "action": "decline"},
        follow=True,
    ).content.decode()
    link.refresh_from_db()
    assert link.status == RelationStatus.DECLINED
    assert "The work is not listed on “The Original”." in declined and SECRET not in declined


def test_a_work_they_may_no_longer_open_is_a_line_that_names_nothing(link, writer, parent):
    decide(client_for(writer), writer, link, "approve")
    child = link.child
    work_set_hidden(work=child, hidden=True)
    client = client_for(writer)

    shown = requests_page(client, writer)
    assert "A request from a work that is not available to you." in shown
    assert SECRET not in shown and SUMMARY not in shown and "Remove from my work" in shown

    decide(client, writer, link, "decline")
    link.refresh_from_db()
    assert link.status == RelationStatus.DECLINED

    work_set_hidden(work=child, hidden=False)
    Work.objects.filter(pk=child.pk).update(posted=False)  # made a draft again: the writer heard of it once
    assert "not available to you" in requests_page(client, writer) and SECRET not in requests_page(client, writer)


def test_a_draft_never_posted_is_not_there(parent, writer, translator):
    data_client = client_for(translator)
    data = new_work_data(translator.default_pseud, title=SECRET, parent_reference=str(parent.pk))
    data.pop("post")
    data_client.post(reverse("works:new"), data)
    assert RelatedWork.objects.exists()

    shown = requests_page(client_for(writer), writer)

    assert "No works here link to yours yet." in shown and "not available" not in shown


def test_the_email_names_the_work_only_to_a_creator_whose_policy_lists_it(
    parent, writer, translator, make_user, mailoutbox, django_capture_on_commit_callbacks
):
    mute_add(user=writer, muted=translator)
    with django_capture_on_commit_callbacks(execute=True):
        answer_with(client_for(translator), translator, title=SECRET, parent_reference=str(parent.pk))

    assert mailoutbox == []
    assert "A request from a user you muted." in requests_page(client_for(writer), writer)


def test_the_parent_lists_no_child_a_reader_may_not_see(link, writer, translator, parent, make_user):
    decide(client_for(writer), writer, link, "approve")
    child = link.child
    muter, excluder = make_user("muter"), make_user("excluder")
    mute_add(user=muter, muted=translator)
    tag_exclusion_add(user=excluder, tag=Tag.objects.get(name="Angst"))

    assert SECRET in page(client_for(make_user()), parent)
    assert SECRET not in page(client_for(muter), parent)
    assert SECRET not in page(client_for(excluder), parent)
    work_set_hidden(work=child, hidden=True)
    assert SECRET not in page(Client(), parent) and SECRET not in page(client_for(writer), parent)
    work_set_hidden(work=child, hidden=False)
    Work.objects.filter(pk=child.pk).update(posted=False)
    assert SECRET not in page(Client(), parent) and SECRET not in page(client_for(writer), parent)
    assert SECRET in page(client_for(translator), child)
