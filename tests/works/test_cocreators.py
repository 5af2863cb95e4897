"""Co-creators: invited from the posting and edit forms, credited only once they accept, able to edit and to
leave (the last creator cannot), and refused when the invitee does not allow invitations or blocked the inviter."""

import pytest
from django.test import Client
from django.urls import reverse

from fanfold.accounts.blocks import block_add
from fanfold.accounts.models import Preference
from fanfold.accounts.services import pseud_create
from fanfold.works.models import CreatorInvitation, Creatorship, Work
from tests.conftest import client_for
from tests.works.people import allow_invitations, byline_of, creator_works_page, edit_data, new_work_data

pytestmark = pytest.mark.django_db

NEW = reverse("works:new")


def requests_url(user) -> str:
    return reverse("creators:invitations", kwargs={"username": user.username})


def answer(client, user, work, action: str):
    return client.post(requests_url(user), {"work_id": work.pk, "action": action})


@pytest.fixture
def invited_work(writer, writer_client, reader, mailoutbox, django_capture_on_commit_callbacks):
    """A posted work by writer with reader invited as co-creator from the posting form."""
    allow_invitations(reader)
    with django_capture_on_commit_callbacks(execute=True):
        response = writer_client.post(NEW, new_work_data(writer.default_pseud, title="Two Hands", co_creators="reader"))
    assert response.status_code == 302, response.content.decode()
    return Work.objects.get(title="Two Hands")


def test_an_invitee_who_does_not_allow_invitations_is_refused_and_nothing_is_posted(writer, writer_client, reader):
    assert not Preference.objects.get(user=reader).allow_cocreator_invitations  # off unless they turn it on

    response = writer_client.post(NEW, new_work_data(writer.default_pseud, title="Alone", co_creators="reader"))

    assert response.status_code == 400
    page = response.content.decode()
    assert "reader does not allow others to invite them to be a co-creator." in page
    assert 'value="Alone"' in page  # what was typed is kept
    assert not Work.objects.exists()
    assert not CreatorInvitation.objects.exists()


def test_turning_the_preference_on_from_the_preferences_page_lets_others_invite(reader, reader_client):
    response = reader_client.post(
        reverse("accounts:preferences"),
        {"time_zone": "UTC", "allow_cocreator_invitations": "on", "allow_gifts": "on"},
    )

    assert response.status_code == 302
    assert Preference.objects.get(user=reader).allow_cocreator_invitations
    assert (
        "Allow others to invite me to be a co-creator"
        in reader_client.get(reverse("accounts:preferences")).content.decode()
    )


def test_a_pending_invitee_is_credited_nowhere(invited_work, reader, reader_client, mailoutbox, client):
    assert [mail.to for mail in mailoutbox] == [[reader.email]]
    assert "Two Hands" in mailoutbox[0].body and requests_url(reader) in mailoutbox[0].body

    assert "reader" not in byline_of(client, invited_work)
    assert "Two Hands" not in creator_works_page(client, "reader")
    assert "Two Hands" in creator_works_page(client, "writer")
    pseud_page = client.get(reverse("accounts:pseud", kwargs={"username": "reader", "pseud": "reader"}))
    assert "Two Hands" not in pseud_page.content.decode()
    assert "Two Hands" not in client.get(reverse("works:list"), {"q": "creator:reader"}).content.decode()
    # Nor may they change it yet.
    assert reader_client.get(reverse("works:edit", args=[invited_work.pk])).status_code == 404


def test_the_invitee_sees_the_invitation_and_accepting_credits_them_everywhere(
    invited_work, reader, reader_client, client
):
    page = reader_client.get(requests_url(reader)).content.decode()
    assert "Two Hands" in page and "Accept" in page
    assert (
        "You have been invited to be a co-creator"
        in reader_client.get(invited_work.get_absolute_url()).content.decode()
    )

    response = answer(reader_client, reader, invited_work, "accept")

    assert response.status_code == 302
    assert not CreatorInvitation.objects.exists()
    assert "reader" in byline_of(client, invited_work) and "writer" in byline_of(client, invited_work)
    assert "Two Hands" in creator_works_page(client, "reader")
    assert "Two Hands" in client.get(reverse("works:list"), {"q": "creator:reader"}).content.decode()
    # Every accepted co-creator can edit the work.
    assert reader_client.get(reverse("works:edit", args=[invited_work.pk])).status_code == 200
    response = reader_client.post(
        reverse("works:edit", args=[invited_work.pk]), edit_data(invited_work, reader.default_pseud, title="Four Hands")
    )
    assert response.status_code == 302
    invited_work.refresh_from_db()
    assert invited_work.title == "Four Hands"
    assert Creatorship.objects.filter(work=invited_work).count() == 2  # the writer's credit stayed


def test_declining_credits_nobody(invited_work, reader, reader_client, client):
    response = answer(reader_client, reader, invited_work, "decline")

    assert response.status_code == 302
    assert not CreatorInvitation.objects.exists()
    assert list(Creatorship.objects.filter(work=invited_work).values_list("pseud__user__username", flat=True)) == [
        "writer"
    ]
    assert "reader" not in byline_of(client, invited_work)
    assert "no co-creator requests" in reader_client.get(requests_url(reader)).content.decode().lower()


def test_nobody_else_can_answer_an_invitation(invited_work, reader, make_user):
    stranger = make_user("stranger")
    client = client_for(stranger)

    response = answer(client, stranger, invited_work, "accept")
    assert response.status_code == 302
    assert "no longer waiting for you" in client.get(response.url).content.decode()
    assert not Creatorship.objects.filter(work=invited_work, pseud__user=stranger).exists()
    # And another user's requests page is theirs alone.
    assert client.get(requests_url(reader)).status_code == 403
    assert client.post(requests_url(reader), {"work_id": invited_work.pk, "action": "accept"}).status_code == 403
    assert CreatorInvitation.objects.filter(work=invited_work).exists()


def test_a_co_creator_can_remove_themselves_but_the_last_creator_cannot(
    invited_work, reader, reader_client, writer, writer_client, client
):
    answer(reader_client, reader, invited_work, "accept")
    leave = reverse("creators:leave", args=[invited_work.pk])

    response = reader_client.post(leave)

    assert response.status_code == 302
    assert "reader" not in byline_of(client, invited_work)
    assert "Two Hands" not in creator_works_page(client, "reader")
    response = writer_client.post(leave, follow=True)
    assert "You are the only creator of this work, so you can&#x27;t remove yourself" in response.content.decode()
    assert Creatorship.objects.filter(work=invited_work, pseud__user=writer).exists()


def test_a_blocked_user_cannot_invite_the_blocker(writer, writer_client, reader):
    allow_invitations(reader)
    block_add(user=reader, blocked=writer)

    response = writer_client.post(NEW, new_work_data(writer.default_pseud, co_creators="reader"))

    assert response.status_code == 400
    assert "You can&#x27;t invite reader to be a co-creator: they have blocked you." in response.content.decode()
    assert not Work.objects.exists()


def test_invitations_from_the_edit_page_and_the_co_creators_page(writer, writer_client, reader, make_work):
    allow_invitations(reader)
    work = make_work(writer, title="Later")
    quill = pseud_create(user=reader, name="Quill")

    response = writer_client.post(
        reverse("works:edit", args=[work.pk]), edit_data(work, writer.default_pseud, co_creators="Quill (reader)")
    )

    assert response.status_code == 302
    assert CreatorInvitation.objects.get(work=work).pseud == quill
    page = writer_client.get(reverse("creators:work_creators", args=[work.pk])).content.decode()
    assert "Quill (reader)" in page and "Withdraw" in page
    # Withdrawing it, then inviting again from the co-creators page.
    writer_client.post(reverse("creators:invitation_cancel", args=[work.pk]), {"pseud_id": quill.pk})
    assert not CreatorInvitation.objects.exists()
    response = writer_client.post(reverse("creators:work_creators", args=[work.pk]), {"byline": "reader"})
    assert response.status_code == 302
    assert CreatorInvitation.objects.get(work=work).pseud == reader.default_pseud


@pytest.mark.parametrize(
    "typed, message",
    [
        ("nobody_here", "There is no user or pseud called “nobody_here”."),
        ("writer", "“writer” is one of your own pseuds"),
    ],
)
def test_invitations_that_cannot_be_are_explained(writer, writer_client, make_work, typed, message):
    work = make_work(writer)

    response = writer_client.post(reverse("creators:work_creators", args=[work.pk]), {"byline": typed})

    assert response.status_code == 400
    page = response.content.decode()
    assert message.replace("“", "“") in page.replace("&#x27;", "'")
    assert f'value="{typed}"' in page
    assert not CreatorInvitation.objects.exists()


def test_an_ambiguous_pseud_name_asks_for_the_username(writer, writer_client, make_work, make_user):
    for name in ("first", "second"):
        pseud_create(user=make_user(name), name="Starling")
    work = make_work(writer)

    response = writer_client.post(reverse("creators:work_creators", args=[work.pk]), {"byline": "Starling"})

    assert response.status_code == 400
    assert "please type it as “Starling (username)”" in response.content.decode()


def test_only_creators_manage_a_works_creators(make_work, writer, reader_client, client):
    work = make_work(writer)
    url = reverse("creators:work_creators", args=[work.pk])

    assert reader_client.get(url).status_code == 404
    assert reader_client.post(url, {"byline": "reader"}).status_code == 404
    assert reader_client.post(reverse("creators:leave", args=[work.pk])).status_code == 404
    assert Client().get(url).status_code == 302  # to log in
    assert not CreatorInvitation.objects.exists()


def test_listings_show_the_new_co_creator_once_they_accept(invited_work, reader, reader_client, client):
    reader_pseud = reverse("accounts:pseud", kwargs={"username": "reader", "pseud": "reader"})
    assert "Two Hands" in client.get(reverse("works:list")).content.decode()
    assert reader_pseud not in client.get(reverse("works:list")).content.decode()  # its blurb is cached now

    answer(reader_client, reader, invited_work, "accept")

    assert reader_pseud in client.get(reverse("works:list")).content.decode()


def test_blocking_the_inviter_withdraws_their_waiting_invitation(invited_work, writer, reader, reader_client, client):
    block_add(user=reader, blocked=writer)

    assert "Two Hands" not in reader_client.get(requests_url(reader)).content.decode()
    assert "You have been invited" not in reader_client.get(invited_work.get_absolute_url()).content.decode()
    answer(reader_client, reader, invited_work, "accept")
    assert "reader" not in byline_of(client, invited_work)
    assert not Creatorship.objects.filter(work=invited_work, pseud__user=reader).exists()
