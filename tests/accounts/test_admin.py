"""The admin lets a maintainer find and fix accounts."""

import pytest
from django.test import Client
from django.urls import reverse

from fanfold.accounts.models import User
from fanfold.accounts.services import pseud_create


@pytest.fixture
def admin_client_for(make_user):
    admin = make_user("maintainer")
    User.objects.filter(pk=admin.pk).update(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(User.objects.get(pk=admin.pk))
    return client


@pytest.mark.django_db
def test_user_search_finds_by_email_and_pseud(admin_client_for, writer):
    pseud_create(user=writer, name="Night Owl")
    changelist = reverse("admin:accounts_user_changelist")

    by_email = admin_client_for.get(changelist, {"q": "writer@example.org"}).content.decode()
    by_pseud = admin_client_for.get(changelist, {"q": "Night Owl"}).content.decode()

    assert "writer@example.org" in by_email
    assert "writer@example.org" in by_pseud


@pytest.mark.django_db
def test_user_change_page_shows_pseuds_links_and_preferences(admin_client_for, writer):
    response = admin_client_for.get(reverse("admin:accounts_user_change", args=[writer.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "pseuds-TOTAL_FORMS" in html
    assert "profile_links-TOTAL_FORMS" in html
    assert "preference-TOTAL_FORMS" in html


@pytest.mark.django_db
def test_adding_a_user_in_admin_gives_default_pseud_and_preferences(admin_client_for):
    response = admin_client_for.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "newbie",
            "email": "newbie@example.org",
            "usable_password": "true",
            "password1": "a-long-admin-secret-1",
            "password2": "a-long-admin-secret-1",
        },
    )

    assert response.status_code == 302
    user = User.objects.get(username="newbie")
    assert user.default_pseud.name == "newbie"
    assert user.preference.time_zone == "UTC"


@pytest.mark.django_db
def test_pseud_admin_search(admin_client_for, writer):
    pseud_create(user=writer, name="Night Owl")

    html = admin_client_for.get(reverse("admin:accounts_pseud_changelist"), {"q": "owl"}).content.decode()

    assert "Night Owl" in html


@pytest.mark.django_db
def test_blocks_gifts_related_works_and_invitations_are_seen_not_changed_in_the_admin(
    admin_client_for, writer, reader, make_work
):
    from fanfold.accounts.blocks import block_add
    from fanfold.works.models import CreatorInvitation, Gift, RelatedWork

    work = make_work(writer, title="Seen In Admin")
    block = block_add(user=reader, blocked=writer)
    gift = Gift.objects.create(work=work, recipient_name="A Friend")
    link = RelatedWork.objects.create(child=work, url="https://example.org/elsewhere", title="Elsewhere")
    invitation = CreatorInvitation.objects.create(work=work, pseud=reader.default_pseud)
    for model, row, shown in [
        ("accounts_block", block, "reader"),
        ("works_gift", gift, "A Friend"),
        ("works_relatedwork", link, "example.org/elsewhere"),
        ("works_creatorinvitation", invitation, "Seen In Admin"),
    ]:
        listing = admin_client_for.get(reverse(f"admin:{model}_changelist"))
        assert listing.status_code == 200 and shown in listing.content.decode()
        # Their writes carry rules (consent, blocks, emails) that only the services keep.
        assert admin_client_for.get(reverse(f"admin:{model}_add")).status_code == 403
        assert (
            admin_client_for.post(reverse(f"admin:{model}_delete", args=[row.pk]), {"post": "yes"}).status_code == 403
        )
    assert Gift.objects.filter(pk=gift.pk).exists() and CreatorInvitation.objects.filter(pk=invitation.pk).exists()
