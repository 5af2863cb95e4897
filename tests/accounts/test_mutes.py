"""Muted users and excluded tags: kept per reader, managed from their pages, left out of listings."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.test import Client
from django.urls import reverse

from fanfold.accounts.models import Mute, TagExclusion, User
from fanfold.accounts.services import (
    MAX_MUTES,
    MAX_TAG_EXCLUSIONS,
    mute_add,
    mute_remove,
    tag_exclusion_add,
    tag_exclusion_remove,
)
from fanfold.tags.models import Tag, TagType
from fanfold.works.selectors import listed_works, visible_works
from fanfold.works.services import ChapterFields, WorkFields, work_create
from fanfold.works.visibility import ViewerPolicy
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

MUTED = reverse("accounts:muted_users")
EXCLUDED = reverse("accounts:excluded_tags")


def profile_url(username: str) -> str:
    return reverse("accounts:profile", kwargs={"username": username})


@pytest.fixture
def fluff(db):
    return Tag.objects.create(name="Fluff", type=TagType.FREEFORM, canonical=True)


# Services ------------------------------------------------------------------------------------------


def test_muting_twice_keeps_one_mute(reader, writer):
    first = mute_add(user=reader, muted=writer)
    second = mute_add(user=reader, muted=writer)

    assert first.pk == second.pk
    assert Mute.objects.filter(user=reader).count() == 1


def test_unmuting_someone_not_muted_changes_nothing(reader, writer, make_user):
    other = make_user()
    mute_add(user=reader, muted=other)

    mute_remove(user=reader, muted=writer)
    mute_remove(user=reader, muted=other)
    mute_remove(user=reader, muted=other)

    assert not Mute.objects.filter(user=reader).exists()


def test_a_user_cannot_mute_themselves(reader):
    with pytest.raises(ValidationError, match="You cannot mute yourself."):
        mute_add(user=reader, muted=reader)

    assert not Mute.objects.exists()


def test_the_database_refuses_a_self_mute_too(reader):
    with pytest.raises(IntegrityError):
        Mute.objects.create(user=reader, muted=reader)


def test_mutes_are_capped_with_a_clear_message(reader, writer, make_user):
    others = User.objects.bulk_create(
        User(username=f"muted{number}", email=f"muted{number}@example.org") for number in range(MAX_MUTES)
    )
    Mute.objects.bulk_create(Mute(user=reader, muted=other) for other in others)

    with pytest.raises(ValidationError, match=f"You have muted {MAX_MUTES} users, the most you can"):
        mute_add(user=reader, muted=writer)
    # Muting someone already muted is not a new mute, so the cap does not stand in the way.
    assert mute_add(user=reader, muted=others[0]).muted_id == others[0].pk


def test_excluding_a_tag_twice_keeps_one_exclusion_and_removing_is_idempotent(reader, fluff):
    first = tag_exclusion_add(user=reader, tag=fluff)
    second = tag_exclusion_add(user=reader, tag=fluff)
    assert first.pk == second.pk

    tag_exclusion_remove(user=reader, tag=fluff)
    tag_exclusion_remove(user=reader, tag=fluff)
    assert not TagExclusion.objects.exists()


def test_tag_exclusions_are_capped_with_a_clear_message(reader, fluff):
    tags = Tag.objects.bulk_create(
        Tag(name=f"Tag {number}", key=f"tag {number}", type=TagType.FREEFORM) for number in range(MAX_TAG_EXCLUSIONS)
    )
    TagExclusion.objects.bulk_create(TagExclusion(user=reader, tag=tag) for tag in tags)

    with pytest.raises(ValidationError, match=f"You have excluded {MAX_TAG_EXCLUSIONS} tags, the most you can"):
        tag_exclusion_add(user=reader, tag=fluff)


# The viewer's policy --------------------------------------------------------------------------------


def test_a_readers_policy_holds_their_own_mutes_and_exclusions(reader, writer, make_user, fluff):
    first, second = make_user(), make_user()
    angst = Tag.objects.create(name="Angst", type=TagType.FREEFORM, canonical=True)
    mute_add(user=reader, muted=first)
    mute_add(user=reader, muted=second)
    tag_exclusion_add(user=reader, tag=fluff)
    tag_exclusion_add(user=reader, tag=angst)
    # Someone else's choices are not the reader's.
    mute_add(user=writer, muted=reader)

    policy = ViewerPolicy.for_viewer(reader)

    assert policy == ViewerPolicy(
        user_id=reader.pk,
        muted_user_ids=frozenset({first.pk, second.pk}),
        excluded_tag_ids=frozenset({fluff.pk, angst.pk}),
    )
    assert ViewerPolicy.for_viewer(writer).muted_user_ids == {reader.pk}


def test_an_excluded_synonym_brings_its_canonical_tag(reader, fluff):
    floof = Tag.objects.create(name="Floof", type=TagType.FREEFORM, merger=fluff)
    tag_exclusion_add(user=reader, tag=floof)

    assert ViewerPolicy.for_viewer(reader).excluded_tag_ids == {fluff.pk, floof.pk}


def test_guests_have_no_standing_exclusions(db):
    assert ViewerPolicy.for_viewer(None) == ViewerPolicy()
    assert ViewerPolicy.for_viewer(AnonymousUser()) == ViewerPolicy()
    assert not ViewerPolicy().signed_in


def test_a_policy_takes_one_query(reader, writer, make_user, fluff, django_assert_num_queries):
    """Every signed-in page makes a policy: mutes and exclusions (with the canonical tag of an excluded
    synonym) come in one query."""
    from fanfold.tags.models import Tag, TagType

    other = make_user("other")
    mute_add(user=reader, muted=writer)
    mute_add(user=other, muted=reader)  # someone else's mute is not the reader's
    tag_exclusion_add(user=reader, tag=fluff)
    canonical = Tag.objects.create(name="Comfort", type=TagType.FREEFORM, canonical=True)
    synonym = Tag.objects.create(name="Comfort Fic", type=TagType.FREEFORM, merger=canonical)
    tag_exclusion_add(user=reader, tag=synonym)

    with django_assert_num_queries(1):
        policy = ViewerPolicy.for_viewer(reader)
    assert policy.muted_user_ids == {writer.pk}
    assert policy.excluded_tag_ids == {fluff.pk, synonym.pk, canonical.pk}
    assert ViewerPolicy.for_viewer(other).muted_user_ids == {reader.pk}
    assert ViewerPolicy.for_viewer(writer) == ViewerPolicy(user_id=writer.pk)
    with django_assert_num_queries(0):
        ViewerPolicy.for_viewer(AnonymousUser())


# Listings ------------------------------------------------------------------------------------------


def test_listed_works_leave_out_a_muted_creators_works_which_stay_readable(reader, writer, make_user, make_work):
    muted_work = make_work(writer, title="By the muted writer")
    other_work = make_work(make_user(), title="By someone else")
    mute_add(user=reader, muted=writer)

    listed = set(listed_works(reader).values_list("pk", flat=True))

    assert muted_work.pk not in listed
    assert other_work.pk in listed
    assert visible_works(reader).filter(pk=muted_work.pk).exists()
    assert client_for(reader).get(muted_work.get_absolute_url()).status_code == 200
    # Nobody else is affected by the reader's mute.
    assert listed_works(None).filter(pk=muted_work.pk).exists()
    assert listed_works(make_user()).filter(pk=muted_work.pk).exists()


def _co_created(*users, title="Written together"):
    fields = WorkFields(
        title=title, rating="General Audiences", warnings=["No Archive Warnings Apply"], fandoms=["Original Work"]
    )
    return work_create(
        pseuds=[user.default_pseud for user in users],
        fields=fields,
        chapter=ChapterFields(content="<p>Hi.</p>"),
        post=True,
    )


def test_a_work_co_created_by_a_muted_user_is_left_out(reader, writer, make_user):
    friend = make_user()
    together = _co_created(friend, writer)
    mute_add(user=reader, muted=writer)

    assert not listed_works(reader).filter(pk=together.pk).exists()
    assert visible_works(reader).filter(pk=together.pk).exists()
    assert listed_works(friend).filter(pk=together.pk).exists()


def test_the_viewers_own_work_with_a_muted_co_creator_is_still_listed(reader, writer):
    together = _co_created(reader, writer)
    mute_add(user=reader, muted=writer)

    assert listed_works(reader).filter(pk=together.pk).exists()


def test_listed_works_with_mutes_stay_one_query(reader, writer, make_work, django_assert_num_queries):
    make_work(writer)
    mute_add(user=reader, muted=writer)
    policy = ViewerPolicy.for_viewer(reader)

    with django_assert_num_queries(1):
        assert listed_works(policy).count() == 0


# Profile page --------------------------------------------------------------------------------------


def test_profile_has_a_mute_button_for_other_signed_in_users_only(client, reader_client, writer_client, writer):
    other = reader_client.get(profile_url("writer")).content.decode()
    own = writer_client.get(profile_url("writer")).content.decode()
    guest = client.get(profile_url("writer")).content.decode()

    mute_action = reverse("accounts:mute", kwargs={"username": "writer"})
    assert f'action="{mute_action}"' in other
    assert "csrfmiddlewaretoken" in other
    assert mute_action not in own
    assert mute_action not in guest


def test_mute_and_unmute_from_the_profile(reader_client, reader, writer, make_work):
    make_work(writer, title="Hidden From Reader")

    response = reader_client.post(
        reverse("accounts:mute", kwargs={"username": "writer"}), {"next": profile_url("writer")}, follow=True
    )

    html = response.content.decode()
    assert response.redirect_chain[-1][0] == profile_url("writer")
    assert "You muted writer." in html
    assert "Hidden From Reader" not in html
    assert "You muted writer, so their works are left out here too." in html
    assert reverse("accounts:unmute", kwargs={"username": "writer"}) in html
    assert Mute.objects.filter(user=reader, muted=writer).exists()

    response = reader_client.post(
        reverse("accounts:unmute", kwargs={"username": "writer"}), {"next": profile_url("writer")}, follow=True
    )

    html = response.content.decode()
    assert "You unmuted writer." in html
    assert "Hidden From Reader" in html
    assert not Mute.objects.exists()


def test_muting_yourself_from_your_profile_shows_why_not(writer_client):
    response = writer_client.post(reverse("accounts:mute", kwargs={"username": "writer"}), follow=True)

    assert "You cannot mute yourself." in response.content.decode()
    assert not Mute.objects.exists()


def test_mute_buttons_refuse_get(reader_client, writer):
    assert reader_client.get(reverse("accounts:mute", kwargs={"username": "writer"})).status_code == 405
    assert not Mute.objects.exists()


def test_mute_buttons_need_the_csrf_token(reader, writer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(reader)

    response = client.post(reverse("accounts:mute", kwargs={"username": "writer"}))

    assert response.status_code == 403
    assert not Mute.objects.exists()


# Muted users page ----------------------------------------------------------------------------------


def test_muted_users_page_explains_and_lists(reader_client, reader, writer):
    empty = reader_client.get(MUTED).content.decode()
    assert "You have not muted anyone." in empty
    assert "left out of every listing, search and count" in empty
    assert "csrfmiddlewaretoken" in empty

    mute_add(user=reader, muted=writer)
    html = reader_client.get(MUTED).content.decode()

    assert f'href="{profile_url("writer")}"' in html
    assert reverse("accounts:unmute", kwargs={"username": "writer"}) in html


def test_mute_by_username_from_the_page(reader_client, reader, writer):
    response = reader_client.post(MUTED, {"username": "WRITER"}, follow=True)

    assert response.redirect_chain[-1][0] == MUTED
    assert "You muted writer." in response.content.decode()
    assert Mute.objects.filter(user=reader, muted=writer).exists()


def test_unknown_username_is_shown_and_kept(reader_client, reader):
    response = reader_client.post(MUTED, {"username": "nobody_here"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "There is no user called “nobody_here”." in html
    assert 'value="nobody_here"' in html
    assert not Mute.objects.exists()


def test_empty_and_self_mutes_are_shown_on_the_form(reader_client, reader):
    empty = reader_client.post(MUTED, {"username": ""}).content.decode()
    self_mute = reader_client.post(MUTED, {"username": "reader"}).content.decode()

    assert "Please type the username of the person to mute." in empty
    assert "You cannot mute yourself." in self_mute
    assert 'value="reader"' in self_mute


def test_unmute_from_the_muted_users_page(reader_client, reader, writer):
    mute_add(user=reader, muted=writer)

    response = reader_client.post(
        reverse("accounts:unmute", kwargs={"username": "writer"}), {"next": MUTED}, follow=True
    )

    html = response.content.decode()
    assert response.redirect_chain[-1][0] == MUTED
    assert "You unmuted writer." in html
    assert "You have not muted anyone." in html


def test_unmuting_someone_not_muted_says_so(reader_client, writer):
    response = reader_client.post(reverse("accounts:unmute", kwargs={"username": "writer"}), follow=True)

    assert "You had not muted “writer”" in response.content.decode()


def test_a_deactivated_muted_user_can_still_be_unmuted(reader_client, reader, writer):
    mute_add(user=reader, muted=writer)
    User.objects.filter(pk=writer.pk).update(is_active=False)

    assert "writer <small>(account closed)</small>" in reader_client.get(MUTED).content.decode()
    reader_client.post(reverse("accounts:unmute", kwargs={"username": "writer"}))

    assert not Mute.objects.exists()


# Excluded tags page --------------------------------------------------------------------------------


def test_excluded_tags_page_explains_and_has_a_protected_form(reader_client):
    html = reader_client.get(EXCLUDED).content.decode()

    assert "You do not exclude any tags." in html
    assert "left out of every listing, search and count" in html
    assert "csrfmiddlewaretoken" in html


def test_exclude_a_tag_by_name_in_any_case_and_remove_it(reader_client, reader, fluff):
    response = reader_client.post(EXCLUDED, {"tag": "  fLUFF "}, follow=True)

    html = response.content.decode()
    assert response.redirect_chain[-1][0] == EXCLUDED
    assert "Works tagged “Fluff” are now left out" in html
    remove = reverse("accounts:excluded_tag_remove", kwargs={"tag_id": fluff.pk})
    assert remove in html
    assert TagExclusion.objects.filter(user=reader, tag=fluff).exists()

    html = reader_client.post(remove, follow=True).content.decode()

    assert "Works tagged “Fluff” are back in your listings." in html
    assert "You do not exclude any tags." in html
    assert not TagExclusion.objects.exists()


def test_unknown_tag_is_shown_and_kept(reader_client):
    response = reader_client.post(EXCLUDED, {"tag": "No Such Tag"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "There is no tag called “No Such Tag”." in html
    assert 'value="No Such Tag"' in html
    assert not TagExclusion.objects.exists()


def test_an_empty_tag_name_is_shown(reader_client):
    html = reader_client.post(EXCLUDED, {"tag": ""}).content.decode()

    assert "Please type the name of the tag to exclude." in html


def test_an_excluded_synonym_says_what_else_is_left_out(reader_client, reader, fluff):
    floof = Tag.objects.create(name="Floof", type=TagType.FREEFORM, merger=fluff)
    tag_exclusion_add(user=reader, tag=floof)

    html = reader_client.get(EXCLUDED).content.decode()

    assert "a synonym of Fluff: works tagged Fluff are left out too" in html


def test_removing_a_tag_not_excluded_says_so(reader_client, reader, fluff, make_user):
    other = make_user()
    tag_exclusion_add(user=other, tag=fluff)
    remove = reverse("accounts:excluded_tag_remove", kwargs={"tag_id": fluff.pk})

    html = reader_client.post(remove, follow=True).content.decode()

    assert "That tag was not excluded" in html
    # Another reader's exclusion is theirs to remove.
    assert TagExclusion.objects.filter(user=other).exists()
    assert reader_client.post(reverse("accounts:excluded_tag_remove", kwargs={"tag_id": 10**20})).status_code == 302


# Preferences and guests ----------------------------------------------------------------------------


def test_preferences_link_both_pages(reader_client):
    html = reader_client.get(reverse("accounts:preferences")).content.decode()

    assert f'href="{MUTED}"' in html
    assert f'href="{EXCLUDED}"' in html
    assert "left out of every listing, search and count" in html


@pytest.mark.parametrize(
    "url",
    [
        MUTED,
        EXCLUDED,
        reverse("accounts:mute", kwargs={"username": "writer"}),
        reverse("accounts:unmute", kwargs={"username": "writer"}),
        reverse("accounts:excluded_tag_remove", kwargs={"tag_id": 1}),
    ],
)
def test_guests_are_sent_to_log_in(client, writer, url):
    for response in (client.get(url), client.post(url, {"username": "writer", "tag": "Fluff"})):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    assert not Mute.objects.exists()
