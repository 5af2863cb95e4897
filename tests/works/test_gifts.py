"""Gifts: given from the posting and edit forms, shown in the work's header and on the recipient's gifts page
(as every listing, through the viewer's policy), refused by the recipient for good, and refused to givers the
recipient blocked."""

import pytest
from django.test import Client
from django.urls import reverse

from fanfold.accounts.blocks import block_add
from fanfold.accounts.models import Preference
from fanfold.accounts.services import mute_add, tag_exclusion_add
from fanfold.tags.models import Tag
from fanfold.works.gifts import gift_recipients_text
from fanfold.works.models import Gift, Work
from fanfold.works.services import work_set_hidden
from tests.conftest import client_for
from tests.works.people import edit_data, new_work_data

pytestmark = pytest.mark.django_db

NEW = reverse("works:new")


def gifts_page(client, username: str = "reader") -> str:
    response = client.get(reverse("creators:gifts", kwargs={"username": username}))
    assert response.status_code == 200
    return response.content.decode()


def header_of(client, work) -> str:
    page = client.get(work.get_absolute_url()).content.decode()
    return page[page.index('<div class="preface">') : page.index("</div>", page.index('<div class="preface">'))]


def give(writer_client, writer, **fields) -> Work:
    response = writer_client.post(NEW, new_work_data(writer.default_pseud, **fields))
    assert response.status_code == 302, response.content.decode()
    return Work.objects.get(title=fields["title"])


def test_a_gift_shows_in_the_header_and_on_the_recipients_page(writer, writer_client, reader, client):
    work = give(writer_client, writer, title="For You", gifts="reader, My Friend Alex")

    header = header_of(client, work)
    assert "For " in header and ">reader</a>" in header and "My Friend Alex" in header
    assert "For You" in gifts_page(client)
    assert "For You" in gifts_page(client_for(reader))
    assert "For You" not in gifts_page(client, "writer")
    assert gift_recipients_text(work) == "reader, My Friend Alex"


def test_the_recipient_refuses_a_gift_and_it_cannot_be_given_again(
    writer, writer_client, reader, reader_client, client
):
    work = give(writer_client, writer, title="Unwanted", gifts="reader")
    assert "Refuse gift" in header_of(reader_client, work)
    assert "Refuse gift" not in header_of(client, work)

    response = reader_client.post(reverse("creators:gift_refuse", args=[work.pk]))

    assert response.status_code == 302
    assert "Unwanted" not in gifts_page(client)
    assert "For " not in header_of(client, work)
    own_page = gifts_page(reader_client)
    assert "Gifts you refused" in own_page and "Unwanted" in own_page
    # The creator tries again from the edit page: refused, with why, and nothing changes.
    response = writer_client.post(
        reverse("works:edit", args=[work.pk]), edit_data(work, writer.default_pseud, gifts="reader")
    )
    assert response.status_code == 400
    assert "reader refused this work as a gift, so it can&#x27;t be given to them again." in response.content.decode()
    assert list(Gift.objects.values_list("refused", flat=True)) == [True]


def test_refusing_what_is_not_a_gift_to_you_changes_nothing(writer, writer_client, make_user):
    work = give(writer_client, writer, title="Not Yours", gifts="reader")
    stranger = client_for(make_user("stranger"))

    response = stranger.post(reverse("creators:gift_refuse", args=[work.pk]), follow=True)

    assert "This work is not a gift to you." in response.content.decode()
    assert not Gift.objects.filter(refused=True).exists()
    assert stranger.get(reverse("creators:gift_refuse", args=[work.pk])).status_code == 405


def test_a_gift_to_someone_who_blocked_the_giver_is_refused(writer, writer_client, reader):
    block_add(user=reader, blocked=writer)

    response = writer_client.post(NEW, new_work_data(writer.default_pseud, title="Blocked Gift", gifts="reader"))

    assert response.status_code == 400
    page = response.content.decode()
    assert "You can&#x27;t give a gift to reader: they have blocked you." in page
    assert 'value="reader"' in page and 'value="Blocked Gift"' in page
    assert not Work.objects.exists() and not Gift.objects.exists()


def test_a_recipient_who_accepts_no_gifts_is_not_given_one(writer, writer_client, reader):
    Preference.objects.filter(user=reader).update(allow_gifts=False)

    response = writer_client.post(NEW, new_work_data(writer.default_pseud, title="No Gifts", gifts="reader"))

    assert response.status_code == 400
    assert "reader does not accept gifts." in response.content.decode()
    assert not Gift.objects.exists()


def test_editing_takes_a_gift_back(writer, writer_client, reader, client):
    work = give(writer_client, writer, title="Taken Back", gifts="reader")

    response = writer_client.post(
        reverse("works:edit", args=[work.pk]), edit_data(work, writer.default_pseud, gifts="")
    )

    assert response.status_code == 302
    assert not Gift.objects.exists()
    assert "Taken Back" not in gifts_page(client)


def test_a_creator_cannot_gift_their_own_work_to_themselves(writer, writer_client):
    response = writer_client.post(NEW, new_work_data(writer.default_pseud, title="Mine", gifts="writer"))

    assert response.status_code == 400
    assert "You can&#x27;t give a work to yourself" in response.content.decode()


def test_the_gifts_page_hides_what_the_viewer_may_not_see(writer, writer_client, reader, make_user, make_work):
    noticer, excluder = make_user("noticer"), make_user("excluder")
    open_gift = give(writer_client, writer, title="Open Gift", gifts="reader")
    draft = make_work(writer, title="Draft Gift", post=False)
    restricted = make_work(writer, title="Restricted Gift", restricted=True)
    hidden = make_work(writer, title="Hidden Gift")
    tagged = make_work(writer, title="Tagged Gift", freeforms=["Angst"])
    for work in (draft, restricted, hidden, tagged):
        Gift.objects.create(work=work, pseud=reader.default_pseud)
    work_set_hidden(work=hidden, hidden=True)
    mute_add(user=noticer, muted=writer)
    tag_exclusion_add(user=excluder, tag=Tag.objects.get(name="Angst"))

    guest = gifts_page(Client())
    assert "Open Gift" in guest and "Tagged Gift" in guest
    assert "Draft Gift" not in guest and "Hidden Gift" not in guest and "Restricted Gift" not in guest
    signed_in = gifts_page(client_for(reader))
    assert "Restricted Gift" in signed_in and "Draft Gift" not in signed_in and "Hidden Gift" not in signed_in
    assert "Open Gift" not in gifts_page(client_for(noticer))
    excluded = gifts_page(client_for(excluder))
    assert "Tagged Gift" not in excluded and "Open Gift" in excluded
    # The draft's own creator sees it on the drafts page, not as a listed gift.
    assert "Draft Gift" not in gifts_page(client_for(writer))
    assert open_gift.pk


def test_gifts_pages_of_unknown_users_are_not_found(client):
    assert client.get(reverse("creators:gifts", kwargs={"username": "nobody_here"})).status_code == 404


def test_a_work_is_a_gift_to_at_most_twenty_people(writer, writer_client):
    names = ", ".join(f"Friend {number}" for number in range(21))

    response = writer_client.post(NEW, new_work_data(writer.default_pseud, title="Too Many", gifts=names))

    assert response.status_code == 400
    assert "A work can be a gift to at most 20 people; you named 21." in response.content.decode()
    assert not Gift.objects.exists()


def test_recipients_with_accounts_are_emailed_once_the_work_is_posted(
    writer, writer_client, reader, mailoutbox, django_capture_on_commit_callbacks
):
    from fanfold.works.services import work_post

    with django_capture_on_commit_callbacks(execute=True):
        posted = give(writer_client, writer, title="Lantern Song", gifts="reader, My Friend Alex")
    [mail] = mailoutbox
    assert mail.to == [reader.email] and "Lantern Song" in mail.subject
    assert posted.get_absolute_url() in mail.body and "/users/reader/gifts/" in mail.body

    # A draft tells nobody until it is posted, then tells each recipient once.
    mailoutbox.clear()
    data = new_work_data(writer.default_pseud, title="Quiet Draft", gifts="reader")
    data.pop("post", None)
    with django_capture_on_commit_callbacks(execute=True):
        writer_client.post(NEW, data)
    draft = Work.objects.get(title="Quiet Draft")
    assert not draft.posted and mailoutbox == []
    with django_capture_on_commit_callbacks(execute=True):
        work_post(work=draft)
    assert [mail.to for mail in mailoutbox] == [[reader.email]]
    assert "Quiet Draft" in mailoutbox[0].subject
