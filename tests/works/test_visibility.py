"""One visibility rule everywhere: the ORM path, the discovery index and a brute-force oracle agree for many
viewers on random archives, through admin hides, edits from public to restricted and deletions; and the
leaks found by outsiders stay closed."""

import random

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from fanfold.accounts.services import mute_add, tag_exclusion_add
from fanfold.discovery.query import WorkFilter
from fanfold.discovery.selectors import works_search
from fanfold.interactions.models import Comment
from fanfold.tags.models import FIXED_TYPES, MetaTagging, Tag, TagType
from fanfold.tags.selectors import tags_autocomplete, visible_tags
from fanfold.tags.wrangling import tag_add_sub_tag, tag_make_canonical, tag_make_synonym
from fanfold.works.models import Chapter, Creatorship, Work
from fanfold.works.selectors import listed_works, visible_works
from fanfold.works.services import ChapterFields, WorkFields, chapter_add, work_delete, work_update
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

FANDOMS = ["Lighthouses", "Harbours", "Tides"]
FREEFORMS = ["Fluff", "Floof", "Angst", "Hurt/Comfort", "Slow Burn"]


# The oracle: the rules in plain words, read from plain rows --------------------------------------------


def _under(tag_ids: set[int]) -> set[int]:
    """Tags whose works are found under these: themselves, synonyms and sub tags, all the way down."""
    synonyms = list(Tag.objects.values_list("id", "merger_id"))
    subs = list(MetaTagging.objects.values_list("meta_id", "sub_id"))
    found = set(tag_ids)
    while True:
        more = {tag for tag, merger in synonyms if merger in found} | {sub for meta, sub in subs if meta in found}
        if more <= found:
            return found
        found |= more


def oracle(viewer) -> tuple[set[int], set[int], set[int]]:
    """(works the viewer may open, works listed for them, tags they may know of)."""
    signed_in = viewer.is_authenticated
    me = viewer.pk if signed_in else None
    muted = set(viewer.mutes.values_list("muted_id", flat=True)) if signed_in else set()
    excluded: set[int] = set()
    if signed_in:
        for tag_id, merger_id in viewer.tag_exclusions.values_list("tag_id", "tag__merger_id"):
            excluded |= {tag_id} | ({merger_id} if merger_id else set())
    excluded_under = _under(excluded)
    creators: dict[int, set[int]] = {}
    for work_id, user_id in Creatorship.objects.values_list("work_id", "pseud__user_id"):
        creators.setdefault(work_id, set()).add(user_id)
    tags: dict[int, set[int]] = {}
    for work_id, tag_id in Work.tags.through.objects.values_list("work_id", "tag_id"):
        tags.setdefault(work_id, set()).add(tag_id)
    may_open, listed = set(), set()
    for work in Work.objects.all():
        own = me in creators.get(work.pk, set())
        open_to_all = work.posted and not work.hidden and (signed_in or not work.restricted)
        if open_to_all or own:
            may_open.add(work.pk)
        standing = creators.get(work.pk, set()) & muted or tags.get(work.pk, set()) & excluded_under
        if open_to_all and (own or not standing):
            listed.add(work.pk)
    known = {
        tag.pk
        for tag in Tag.objects.all()
        if tag.type in FIXED_TYPES
        or tag.canonical
        or tag.merger_id
        or any(tag.pk in tags.get(work_id, set()) for work_id in may_open)
    }
    return may_open, listed, known


def assert_everything_agrees(viewer) -> None:
    may_open, listed, known = oracle(viewer)
    assert set(visible_works(viewer).values_list("pk", flat=True)) == may_open
    assert set(listed_works(viewer).values_list("pk", flat=True)) == listed
    result = works_search(work_filter=WorkFilter(), viewer=viewer, page_size=10_000)
    assert (set(result.work_ids), result.total) == (listed, len(listed))
    fandoms = dict(result.facets[TagType.FANDOM])
    for fandom in Tag.objects.filter(type=TagType.FANDOM, canonical=True):
        expected = len(listed_works(viewer).filter(tags__in=_under({fandom.pk})).distinct())
        assert fandoms.get(fandom.pk, 0) == expected, fandom.name
    assert set(visible_tags(viewer).values_list("pk", flat=True)) == known


# Random archives -------------------------------------------------------------------------------------


def build_archive(rng: random.Random, make_user, make_work):
    writers = [make_user(f"writer{n}") for n in range(4)]
    works = []
    for n in range(24):
        creator = rng.choice(writers)
        work = make_work(
            creator,
            title=f"Work {n}",
            post=rng.random() < 0.8,
            restricted=rng.random() < 0.3,
            fandoms=rng.sample(FANDOMS, rng.choice([1, 1, 2])),
            freeforms=rng.sample(FREEFORMS, rng.randint(0, 2)) + ([f"Only here {n}"] if rng.random() < 0.3 else []),
        )
        if rng.random() < 0.2:
            Creatorship.objects.get_or_create(
                work=work, pseud=rng.choice(writers).default_pseud, defaults={"position": 1}
            )
        if work.posted and rng.random() < 0.3:
            chapter_add(work=work, fields=ChapterFields(content="<p>More.</p>"), post=rng.random() < 0.5)
        works.append(work)
    # Wrangling: a canonical tag with a synonym and a sub tag, and a canonical fandom.
    fluff = Tag.objects.get(name="Fluff")
    tag_make_canonical(tag=fluff)
    tag_make_synonym(tag=Tag.objects.get(name="Floof"), canonical=fluff)
    hurt = Tag.objects.get(name="Hurt/Comfort")
    tag_make_canonical(tag=hurt)
    tag_add_sub_tag(meta=fluff, sub=hurt)
    for name in FANDOMS:
        tag_make_canonical(tag=Tag.objects.get(name=name))
    return writers, works


def viewers(rng: random.Random, make_user, writers):
    plain = make_user("plainreader")
    muter = make_user("muter")
    mute_add(user=muter, muted=rng.choice(writers))
    excluder = make_user("excluder")
    tag_exclusion_add(user=excluder, tag=Tag.objects.get(name="Floof"))  # a synonym: its canonical goes too
    picky_writer = writers[0]
    mute_add(user=picky_writer, muted=writers[1])
    tag_exclusion_add(user=picky_writer, tag=Tag.objects.get(name=rng.choice(FANDOMS)))
    return [AnonymousUser(), plain, muter, excluder, picky_writer, *writers[1:]]


def fresh(user):
    """The user as a new request would have it (policies are kept on the user object for one request)."""
    return user if not user.is_authenticated else type(user).objects.get(pk=user.pk)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_orm_index_and_oracle_agree_for_every_viewer_through_hides_edits_and_deletions(seed, make_user, make_work):
    rng = random.Random(seed)
    writers, works = build_archive(rng, make_user, make_work)
    people = viewers(rng, make_user, writers)
    for viewer in people:
        assert_everything_agrees(fresh(viewer))

    posted = [work for work in works if work.posted]
    # A maintainer hides works in the admin (a full save of the row, no service involved)...
    for work in rng.sample(posted, 3):
        work.refresh_from_db()
        work.hidden = True
        work.save()
    # ...a writer restricts a public work...
    public = [w for w in Work.objects.filter(posted=True, hidden=False, restricted=False)]
    edited = rng.choice(public)
    work_update(
        work=edited,
        fields=WorkFields(
            title=edited.title,
            rating="General Audiences",
            warnings=["No Archive Warnings Apply"],
            fandoms=[tag.name for tag in edited.tags.filter(type=TagType.FANDOM)],
            restricted=True,
        ),
    )
    # ...and works are deleted, leaving their unwrangled tags behind them.
    for work in rng.sample(list(Work.objects.filter(posted=True)), 2):
        work_delete(work=work)
    for viewer in people:
        assert_everything_agrees(fresh(viewer))


# The leaks outsiders found, each as a guest or a new user would meet it ---------------------------------


def test_a_pending_comment_cannot_be_quoted_by_replying_to_it(make_work, make_user, client):
    writer = make_user("writer")
    work = make_work(writer, comment_permission="everyone", moderate_comments=True)
    guest = client
    guest.post(
        f"/works/{work.pk}/comments/",
        {"content": "Secret words awaiting approval", "guest_name": "Hidden Name", "guest_email": "h@example.org"},
    )
    pending = Comment.objects.get()
    assert not pending.is_published

    stranger = client_for(make_user("stranger"))
    for http in (client, stranger):
        response = http.post(f"/works/{work.pk}/comments/", {"content": "", "parent_id": str(pending.pk)})
        page = response.content.decode()
        assert response.status_code == 404
        assert "Secret words" not in page and "Hidden Name" not in page


def test_excluded_tags_leave_the_home_profile_and_pseud_pages(make_work, make_user):
    writer = make_user("writer")
    for n in range(6):
        make_work(writer, title=f"Kept {n}", freeforms=["Fluff"])
    make_work(writer, title="Excluded one", freeforms=["Angst"])
    reader = make_user("reader")
    tag_exclusion_add(user=reader, tag=Tag.objects.get(name="Angst"))
    http = client_for(reader)
    for url in ("/", "/users/writer/", "/users/writer/pseuds/writer/", "/users/writer/works/", "/works/"):
        page = http.get(url).content.decode()
        assert "Excluded one" not in page, url
        assert "Kept 0" in page, url
    profile = http.get("/users/writer/").content.decode()
    assert "7 Works" not in profile and "of 7" not in profile


def test_hiding_unposting_or_restricting_in_the_admin_reaches_listings_at_once(make_work, make_user, client):
    admin = make_user("maintainer")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    hide_me = make_work(title="Hide me", fandoms=["Admin Fandom"])
    restrict_me = make_work(title="Restrict me", fandoms=["Admin Fandom"])
    unpost_me = make_work(title="Unpost me", fandoms=["Admin Fandom"])
    assert "3 Works" in client.get("/tags/Admin Fandom/works/").content.decode()

    staff = client_for(admin)
    response = staff.post(
        reverse("admin:works_work_changelist"), {"action": "hide_works", "_selected_action": [hide_me.pk]}
    )
    assert response.status_code == 302
    work = Work.objects.get(pk=restrict_me.pk)
    work.restricted = True
    work.save()  # what the admin's change form does
    Work.objects.filter(pk=unpost_me.pk).update(posted=False)

    page = client.get("/works/?q=Admin").content.decode()
    for title in ("Hide me", "Restrict me", "Unpost me"):
        assert title not in page
    # Its fandom is now on no work a guest may see: to them, no such tag.
    assert client.get("/tags/Admin Fandom/works/").status_code == 404


def test_a_tag_only_on_invisible_works_is_a_tag_that_does_not_exist(make_work, make_user, client):
    writer = make_user("writer")
    make_work(writer, title="Draft", freeforms=["Secret Draft Tag"], post=False)
    make_work(writer, title="Locked", freeforms=["Members Only Tag"], restricted=True)
    hidden = make_work(writer, title="Hidden", freeforms=["Hidden Work Tag"])
    Work.objects.filter(pk=hidden.pk).update(hidden=True)
    gone = make_work(writer, title="Gone", freeforms=["Deleted Work Tag"])
    work_delete(work=gone)
    make_work(writer, title="Open", freeforms=["Open Tag"])
    reader = client_for(make_user("reader"))

    def names(http, term):
        return [row["name"] for row in http.get("/tags/autocomplete/", {"term": term}).json()["results"]]

    for name in ("Secret Draft Tag", "Members Only Tag", "Hidden Work Tag", "Deleted Work Tag"):
        assert names(client, name[:6]) == [], name
        assert client.get(f"/tags/{name}/works/").status_code == 404, name
        assert client.get("/tags/No Such Tag At All/works/").status_code == 404
    assert names(client, "Open") == ["Open Tag"]
    assert names(reader, "Members") == ["Members Only Tag"]
    assert names(reader, "Secret") == [], "a draft's tag is its writer's"
    assert names(client_for(writer), "Secret") == ["Secret Draft Tag"]
    assert not Tag.objects.filter(name="Deleted Work Tag").exists(), "a deleted work's new tag goes with it"

    secret = Tag.objects.get(name="Secret Draft Tag")
    missing = 987_654_321
    for tag_id in (secret.pk, missing):
        page = client.get("/works/", {"tag": tag_id}).content.decode()
        assert "Secret Draft Tag" not in page
    # The page for an unknown id and for an invisible tag's id read the same, bar the id itself.
    unknown = client.get("/works/", {"tag": missing}).content.decode().replace(str(missing), "ID")
    invisible = client.get("/works/", {"tag": secret.pk}).content.decode().replace(str(secret.pk), "ID")
    assert unknown == invisible
    assert tags_autocomplete(term="Secret", viewer=AnonymousUser()) == []


def test_wrangled_tags_are_kept_when_their_last_work_is_deleted(make_work):
    work = make_work(title="Only work", freeforms=["Wrangled Tag", "Unwrangled Tag"])
    tag_make_canonical(tag=Tag.objects.get(name="Wrangled Tag"))
    work_delete(work=work)
    assert Tag.objects.filter(name="Wrangled Tag").exists()
    assert not Tag.objects.filter(name="Unwrangled Tag").exists()
    assert Tag.objects.filter(type=TagType.RATING).exists(), "the archive's own tags stay"


def test_chapters_are_numbered_as_the_reader_sees_them(make_work, make_user, client):
    writer = make_user("writer")
    work = make_work(writer, title="Numbered", expected_chapters=3)
    draft = chapter_add(work=work, fields=ChapterFields(content="<p>Draft.</p>", title="Unfinished"), post=False)
    third = chapter_add(work=work, fields=ChapterFields(content="<p>Three.</p>", title="Ending"), post=True)
    assert Chapter.objects.get(pk=draft.pk).position == 2

    page = client.get(f"/works/{work.pk}/?view_full_work=true").content.decode()
    assert "2. Ending" in page and "3. Ending" not in page and "Unfinished" not in page
    chapter_page = client.get(third.get_absolute_url()).content.decode()
    assert "2. Ending" in chapter_page and "3." not in chapter_page
    own = client_for(writer).get(f"/works/{work.pk}/?view_full_work=true").content.decode()
    assert "2. Unfinished" in own and "3. Ending" in own
    # The work page numbers its list as it comes; a page about one chapter asks the database: the same numbers.
    from django.contrib.auth.models import AnonymousUser

    from fanfold.works.selectors import visible_chapter_list, visible_chapters

    for viewer, expected in ((AnonymousUser(), [1, 2]), (writer, [1, 2, 3])):
        listed = [(chapter.pk, chapter.number) for chapter in visible_chapter_list(work=work, viewer=viewer)]
        assert [number for _pk, number in listed] == expected
        assert listed == [(chapter.pk, chapter.number) for chapter in visible_chapters(work=work, viewer=viewer)]


def test_deleting_kudos_in_the_admin_keeps_the_count_exact(make_work, make_user, reader_client):
    from fanfold.interactions.models import Kudos

    admin = make_user("maintainer")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    work = make_work(title="Loved")
    reader_client.post(f"/works/{work.pk}/kudos/")
    assert Work.objects.get(pk=work.pk).kudos_count == 1
    kudos = Kudos.objects.get()
    response = client_for(admin).post(reverse("admin:interactions_kudos_delete", args=[kudos.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert Work.objects.get(pk=work.pk).kudos_count == 0
