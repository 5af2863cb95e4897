"""Orphaning: a creator gives their credit on one or all of their works to the orphan account, for good, after
a page that says so; the works stay up with their kudos and comments, and listings follow."""

import pytest
from django.urls import reverse

from fanfold.accounts.models import User
from fanfold.accounts.services import pseud_create, username_errors
from fanfold.interactions.services import comment_create, kudos_give
from fanfold.works.creators import creator_invitation_accept, creator_invite
from fanfold.works.models import Creatorship
from tests.works.people import allow_invitations, byline_of, creator_works_page

pytestmark = pytest.mark.django_db


def orphan_url(work) -> str:
    return reverse("creators:orphan_work", args=[work.pk])


def test_the_confirmation_page_says_orphaning_is_permanent(make_work, writer, writer_client):
    work = make_work(writer, title="Let Go")

    page = writer_client.get(orphan_url(work)).content.decode()

    assert "Orphaning is permanent." in page and "cannot be undone" in page
    # Without the box ticked nothing happens.
    response = writer_client.post(orphan_url(work), {"use_default": "true"})
    assert response.status_code == 400
    assert "Please tick the box" in response.content.decode()
    assert 'value="true" checked' in response.content.decode()  # the choice made is kept
    assert Creatorship.objects.get(work=work).pseud == writer.default_pseud


def test_orphaning_keeping_the_pseud_name(make_work, writer, writer_client, reader, client):
    quill = pseud_create(user=writer, name="Quill")
    work = make_work(writer, title="Let Go")
    Creatorship.objects.filter(work=work).update(pseud=quill)
    kudos_give(work=work, user=reader)
    comment_create(work=work, user=reader, content="Lovely.")

    response = writer_client.post(orphan_url(work), {"use_default": "false", "confirm": "yes"})

    assert response.status_code == 302
    byline = byline_of(client, work)
    assert "Quill (orphan_account)" in byline and "writer" not in byline
    page = client.get(work.get_absolute_url()).content.decode()
    assert "Lovely." in page and "reader" in page  # the comment and the kudos stay
    assert "Let Go" in creator_works_page(client, "orphan_account")
    assert "Let Go" not in creator_works_page(client, "writer")
    # It is no longer theirs to change.
    assert writer_client.get(reverse("works:edit", args=[work.pk])).status_code == 404
    assert writer_client.post(orphan_url(work), {"confirm": "yes"}).status_code == 404
    orphan = User.objects.get(username="orphan_account")
    assert not orphan.has_usable_password()


def test_orphaning_under_the_orphan_accounts_own_name(make_work, writer, writer_client, client):
    work = make_work(writer, title="Nameless")

    writer_client.post(orphan_url(work), {"use_default": "true", "confirm": "yes"})

    byline = byline_of(client, work)
    assert ">orphan_account<" in byline and "writer" not in byline


def test_orphaning_a_co_created_work_moves_only_your_credit(make_work, writer, writer_client, reader, client):
    allow_invitations(reader)
    work = make_work(writer, title="Shared")
    creator_invite(work=work, by=writer, pseud=reader.default_pseud)
    creator_invitation_accept(work=work, user=reader)

    writer_client.post(orphan_url(work), {"use_default": "true", "confirm": "yes"})

    credited = set(Creatorship.objects.filter(work=work).values_list("pseud__user__username", flat=True))
    assert credited == {"reader", "orphan_account"}
    assert "Shared" in creator_works_page(client, "reader")


def test_orphaning_every_work_at_once(make_work, writer, writer_client, make_user, client):
    for title in ("One", "Two", "Three"):
        make_work(writer, title=title)
    other = make_work(make_user(), title="Someone Else's")
    url = reverse("creators:orphan_all", kwargs={"username": "writer"})
    assert "Your 3 works will be credited to" in writer_client.get(url).content.decode()

    response = writer_client.post(url, {"use_default": "false", "confirm": "yes"}, follow=True)

    assert "3 works were orphaned." in response.content.decode()
    assert not Creatorship.objects.filter(pseud__user=writer).exists()
    listing = creator_works_page(client, "orphan_account")
    assert all(title in listing for title in ("One", "Two", "Three"))
    assert Creatorship.objects.get(work=other).pseud.user.username != "orphan_account"


def test_nobody_can_orphan_someone_elses_works(make_work, writer, reader_client):
    work = make_work(writer)

    assert reader_client.post(orphan_url(work), {"confirm": "yes"}).status_code == 404
    url = reverse("creators:orphan_all", kwargs={"username": "writer"})
    assert reader_client.post(url, {"confirm": "yes"}).status_code == 403
    assert Creatorship.objects.get(work=work).pseud.user == writer


def test_nobody_can_sign_up_as_the_orphan_account(db):
    assert any("kept for orphaned works" in message for message in username_errors("Orphan_Account"))


def test_a_comment_on_an_orphaned_work_emails_nobody_but_its_other_creators(
    make_work, writer, writer_client, reader, make_user, mailoutbox, django_capture_on_commit_callbacks
):
    partner = make_user("partner")
    work = make_work(writer, title="Left Behind")
    Creatorship.objects.create(work=work, pseud=partner.default_pseud, position=1)
    writer_client.post(orphan_url(work), {"use_default": "true", "confirm": "yes"})

    with django_capture_on_commit_callbacks(execute=True):
        comment_create(work=work, user=reader, content="Still here?")

    assert [mail.to for mail in mailoutbox] == [[partner.email]]
