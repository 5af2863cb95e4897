"""Related works: a work inspired by (or translating) another here or elsewhere. The link shows on the child
always (naming nothing to a reader who may not see the parent); on the parent only once its creators approve,
and only children the reader may see."""

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from fanfold.accounts.services import mute_add, tag_exclusion_add
from fanfold.tags.models import Tag
from fanfold.works.models import RelatedWork, RelationStatus, Work
from fanfold.works.people import work_people_context
from fanfold.works.services import work_set_hidden
from fanfold.works.visibility import policy_for
from tests.conftest import client_for
from tests.works.people import edit_data, new_work_data

pytestmark = pytest.mark.django_db

NEW = reverse("works:new")


@pytest.fixture
def translator(make_user):
    return make_user("translator")


@pytest.fixture
def parent(make_work, writer):
    return make_work(writer, title="The Original")


def answer_with(client, user, *, title="The Answer", **fields) -> Work:
    response = client.post(NEW, new_work_data(user.default_pseud, title=title, **fields))
    assert response.status_code == 302, response.content.decode()
    return Work.objects.get(title=title)


def page(client, work) -> str:
    return client.get(work.get_absolute_url()).content.decode()


def requests_page(client, user) -> str:
    return client.get(reverse("creators:related_requests", kwargs={"username": user.username})).content.decode()


def decide(client, user, link, action: str):
    return client.post(
        reverse("creators:related_requests", kwargs={"username": user.username}), {"link_id": link.pk, "action": action}
    )


def test_the_parent_approves_before_the_link_shows_on_it(
    parent, writer, translator, mailoutbox, django_capture_on_commit_callbacks
):
    translator_client, writer_client, guest = client_for(translator), client_for(writer), Client()
    with django_capture_on_commit_callbacks(execute=True):
        child = answer_with(translator_client, translator, parent_reference=f"http://testserver/works/{parent.pk}/")

    link = RelatedWork.objects.get()
    assert link.parent == parent and link.status == RelationStatus.PENDING
    assert "Inspired by" in page(guest, child) and "The Original" in page(guest, child)
    assert "The Answer" not in page(guest, parent)
    assert [mail.to for mail in mailoutbox] == [[writer.email]]
    assert "The Answer" in mailoutbox[0].body
    requests = requests_page(writer_client, writer)
    assert "The Answer" in requests and "Awaiting approval" in requests

    response = decide(writer_client, writer, link, "approve")

    assert response.status_code == 302
    shown = page(guest, parent)
    assert "Works inspired by this one:" in shown and "The Answer" in shown


def test_a_translation_by_work_number_and_a_declined_link(parent, writer, translator):
    translator_client, writer_client, guest = client_for(translator), client_for(writer), Client()
    child = answer_with(translator_client, translator, parent_reference=str(parent.pk), parent_translation="on")
    link = RelatedWork.objects.get()
    assert "A translation of" in page(guest, child)
    decide(writer_client, writer, link, "approve")
    assert "Translations of this work:" in page(guest, parent)

    decide(writer_client, writer, link, "decline")

    assert "The Answer" not in page(guest, parent)
    assert "The Original" in page(guest, child)  # it always shows on the child


def test_a_work_elsewhere(writer, writer_client, client):
    child = answer_with(
        writer_client,
        writer,
        parent_reference="https://example.org/stories/42",
        parent_title="A Story Elsewhere",
        parent_creator="Someone",
    )

    shown = page(client, child)
    assert 'href="https://example.org/stories/42"' in shown and "A Story Elsewhere" in shown and "by Someone" in shown


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"parent_reference": "https://example.org/x"}, "Please give the title of the work elsewhere."),
        ({"parent_reference": "not an address"}, "Please enter the address of the work"),
        ({"parent_reference": "999999"}, "There is no work “999999” on Fanfold that you can see."),
        ({"parent_reference": "/works/99999999999999999999999/"}, "There is no work “/works/99999999999999999999999/”"),
    ],
)
def test_links_that_cannot_be_made_are_explained_and_nothing_is_posted(writer, writer_client, fields, message):
    response = writer_client.post(NEW, new_work_data(writer.default_pseud, title="Unlinked", **fields))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Work.objects.exists() and not RelatedWork.objects.exists()


def test_a_draft_by_someone_else_cannot_be_named_as_the_parent(make_work, make_user, writer, writer_client):
    secret = make_work(make_user(), title="Secret Draft", post=False)

    response = writer_client.post(NEW, new_work_data(writer.default_pseud, parent_reference=str(secret.pk)))

    assert response.status_code == 400
    assert "Secret Draft" not in response.content.decode()
    assert not RelatedWork.objects.exists()


def test_a_work_cannot_be_inspired_by_itself_and_links_can_be_removed(parent, writer, writer_client, make_work):
    url = reverse("works:edit", args=[parent.pk])
    response = writer_client.post(url, edit_data(parent, writer.default_pseud, parent_reference=str(parent.pk)))
    assert response.status_code == 400
    assert "A work can&#x27;t be inspired by itself." in response.content.decode()

    other = make_work(writer, title="Another of Mine")
    writer_client.post(url, edit_data(parent, writer.default_pseud, parent_reference=str(other.pk)))
    link = RelatedWork.objects.get()
    assert link.status == RelationStatus.APPROVED  # both works are the writer's: nothing to ask
    writer_client.post(url, edit_data(parent, writer.default_pseud, remove_parent_links=[link.pk]))
    assert not RelatedWork.objects.exists()


def test_the_child_names_a_parent_only_to_readers_who_may_see_it(parent, writer, translator, make_user):
    child = answer_with(client_for(translator), translator, parent_reference=str(parent.pk))
    noticer, excluder = make_user("noticer"), make_user("excluder")
    mute_add(user=noticer, muted=writer)
    tag_exclusion_add(user=excluder, tag=Tag.objects.get(name="Original Work"))
    neutral = "a work that is not available to you"

    assert neutral in page(client_for(noticer), child) and "The Original" not in page(client_for(noticer), child)
    # The child has the excluded fandom too, but a reader may open it by link: its parent is still not named.
    assert "The Original" not in page(client_for(excluder), child)
    Work.objects.filter(pk=parent.pk).update(restricted=True)
    assert "The Original" not in page(Client(), child) and neutral in page(Client(), child)
    assert "The Original" in page(client_for(translator), child)
    work_set_hidden(work=parent, hidden=True)
    assert "The Original" not in page(client_for(translator), child)
    work_set_hidden(work=parent, hidden=False)
    Work.objects.filter(pk=parent.pk).update(posted=False, restricted=False)
    assert "The Original" not in page(Client(), child)
    assert "The Original" in page(client_for(writer), child)  # its own creator still sees their draft named


def test_the_parent_lists_only_children_the_reader_may_see(parent, writer, translator, make_user):
    child = answer_with(client_for(translator), translator, parent_reference=str(parent.pk), freeforms="Angst")
    decide(client_for(writer), writer, RelatedWork.objects.get(), "approve")
    noticer, excluder = make_user("noticer"), make_user("excluder")
    mute_add(user=noticer, muted=translator)
    tag_exclusion_add(user=excluder, tag=Tag.objects.get(name="Angst"))

    assert "The Answer" in page(Client(), parent)
    assert "The Answer" not in page(client_for(noticer), parent)
    assert "The Answer" not in page(client_for(excluder), parent)
    Work.objects.filter(pk=child.pk).update(restricted=True)
    assert "The Answer" not in page(Client(), parent) and "The Answer" in page(client_for(writer), parent)
    work_set_hidden(work=child, hidden=True)
    assert "The Answer" not in page(client_for(writer), parent)
    work_set_hidden(work=child, hidden=False)
    Work.objects.filter(pk=child.pk).update(posted=False)
    assert "The Answer" not in page(client_for(writer), parent)
    # Nor does its creator's requests page name a draft that answers their work.
    assert "The Answer" not in requests_page(client_for(writer), writer)


def test_only_the_parents_creators_approve(parent, writer, translator, make_user):
    answer_with(client_for(translator), translator, parent_reference=str(parent.pk))
    link = RelatedWork.objects.get()
    stranger = make_user("stranger")

    client = client_for(stranger)
    response = client.post(
        reverse("creators:related_requests", kwargs={"username": "stranger"}),
        {"link_id": link.pk, "action": "approve"},
        follow=True,
    )

    assert "That link is no longer there." in response.content.decode()
    link.refresh_from_db()
    assert link.status == RelationStatus.PENDING
    assert decide(client_for(stranger), writer, link, "approve").status_code == 403
    assert decide(client_for(translator), translator, link, "approve").status_code == 302
    link.refresh_from_db()
    assert link.status == RelationStatus.PENDING


def test_a_draft_child_tells_the_parents_creators_once_it_is_posted(
    parent, writer, translator, mailoutbox, django_capture_on_commit_callbacks
):
    client = client_for(translator)
    data = new_work_data(translator.default_pseud, title="Draft Answer", parent_reference=str(parent.pk))
    data.pop("post")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(NEW, data)
    child = Work.objects.get(title="Draft Answer")
    assert mailoutbox == []
    assert "Draft Answer" not in requests_page(client_for(writer), writer)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("works:post", args=[child.pk]))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("works:edit", args=[child.pk]), edit_data(child, translator.default_pseud))

    assert [mail.to for mail in mailoutbox] == [[writer.email]]  # once, not again on the edit
    assert "Draft Answer" in requests_page(client_for(writer), writer)


def test_the_parents_list_of_children_costs_the_same_for_many(
    parent, writer, make_user, make_work, django_assert_max_num_queries
):
    for number in range(6):
        child = make_work(make_user(), title=f"Answer {number}")
        RelatedWork.objects.create(child=child, parent=parent, status=RelationStatus.APPROVED)
        RelatedWork.objects.create(child=parent, url=f"https://example.org/{number}", title=f"Source {number}")
    viewer = make_user()
    policy_for(viewer)  # as the work page has it, from reading the work

    with django_assert_max_num_queries(7):
        context = work_people_context(work=parent, viewer=viewer)
        html = render_to_string("works/creators/_work_people.html", {"work": parent, "user": viewer, **context})

    assert html.count("Answer ") == 6 and html.count("Source ") == 6
