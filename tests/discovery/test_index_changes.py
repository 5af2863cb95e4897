"""What readers notice of the index: who sees what, exclusions, and changes showing up after they are made."""

import random

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction

from fanfold.accounts.services import mute_add
from fanfold.discovery import index as discovery_index
from fanfold.discovery.index import DiscoveryIndex, get_index
from fanfold.discovery.models import WorkChange
from fanfold.discovery.query import WorkFilter
from fanfold.discovery.selectors import works_search
from fanfold.discovery.services import record_work_change
from fanfold.tags.models import Tag
from fanfold.works.models import Work
from fanfold.works.selectors import listed_works
from fanfold.works.services import WorkFields, work_delete, work_update
from fanfold.works.visibility import ViewerPolicy


def tag_id(name: str) -> int:
    return Tag.objects.get(name=name).pk


def fandom_counts(result) -> dict[str, int]:
    names = dict(Tag.objects.values_list("pk", "name"))
    return {names[tag]: count for tag, count in result.facets["fandom"]}


@pytest.fixture
def shared_index():
    discovery_index.reset_index()
    yield
    discovery_index.reset_index()


def test_drafts_and_hidden_works_are_never_listed_or_counted(make_work, make_user):
    writer = make_user()
    posted = make_work(writer, title="Out There", fandoms=["Seen Fandom"])
    make_work(writer, title="Draft", fandoms=["Secret Fandom"], post=False)
    hidden = make_work(writer, title="Hidden", fandoms=["Secret Fandom"])
    Work.objects.filter(pk=hidden.pk).update(hidden=True)

    index = DiscoveryIndex.build()
    for signed_in in (False, True):
        result = index.search(WorkFilter(), signed_in=signed_in)
        assert result.work_ids == [posted.pk]
        assert result.total == 1
        assert fandom_counts(result) == {"Seen Fandom": 1}
        assert index.search(WorkFilter(include_tags=(tag_id("Secret Fandom"),)), signed_in=signed_in).total == 0


def test_restricted_works_are_listed_and_counted_for_signed_in_readers_only(make_work, make_user):
    writer = make_user()
    open_work = make_work(writer, title="Open", fandoms=["Shared"])
    locked = make_work(writer, title="Locked", fandoms=["Shared", "Members Only"], restricted=True)

    index = DiscoveryIndex.build()
    guest = index.search(WorkFilter(), signed_in=False)
    member = index.search(WorkFilter(), signed_in=True)
    assert (guest.work_ids, guest.total) == ([open_work.pk], 1)
    assert fandom_counts(guest) == {"Shared": 1}
    assert set(member.work_ids) == {open_work.pk, locked.pk}
    assert fandom_counts(member) == {"Shared": 2, "Members Only": 1}


def test_works_search_decides_by_the_viewer(make_work, make_user, shared_index):
    writer, reader = make_user(), make_user()
    make_work(writer, title="Open")
    make_work(writer, title="Locked", restricted=True)
    assert works_search(work_filter=WorkFilter(), viewer=AnonymousUser()).total == 1
    assert works_search(work_filter=WorkFilter(), viewer=None).total == 1
    assert works_search(work_filter=WorkFilter(), viewer=reader).total == 2


def test_excluding_a_creator_or_a_tag_takes_their_works_out_of_the_page_and_the_counts(make_work, make_user):
    liked, muted = make_user(), make_user()
    first = make_work(liked, title="Liked", fandoms=["Common"], freeforms=["Fluff"])
    make_work(muted, title="Muted one", fandoms=["Common"], freeforms=["Angst"])
    make_work(muted, title="Muted two", fandoms=["Common", "Other Place"], freeforms=["Fluff"])
    index = DiscoveryIndex.build()

    everything = index.search(WorkFilter(), signed_in=True)
    assert everything.total == 3
    assert fandom_counts(everything) == {"Common": 3, "Other Place": 1}

    without_creator = index.search(WorkFilter(), policy=ViewerPolicy(user_id=liked.pk, muted_user_ids={muted.pk}))
    assert (without_creator.work_ids, without_creator.total) == ([first.pk], 1)
    assert fandom_counts(without_creator) == {"Common": 1}

    no_angst = ViewerPolicy(user_id=liked.pk, excluded_tag_ids={tag_id("Angst")})
    without_angst = index.search(WorkFilter(), policy=no_angst)
    assert without_angst.total == 2
    freeforms = without_angst.facets["freeform"]
    assert dict(freeforms) == {tag_id("Fluff"): 2}
    assert freeforms[0] == (tag_id("Fluff"), 2)
    assert freeforms[:5] == [(tag_id("Fluff"), 2)] == freeforms
    assert len(freeforms) == 1


def test_a_refresh_shows_edited_tags_unposting_and_deletion(make_work, make_user):
    writer = make_user()
    edited = make_work(writer, title="Edited", fandoms=["Before"])
    unposted = make_work(writer, title="Unposted", fandoms=["Before"])
    deleted = make_work(writer, title="Deleted", fandoms=["Before"])
    index = DiscoveryIndex.build()
    assert fandom_counts(index.search(WorkFilter(), signed_in=False)) == {"Before": 3}

    work_update(
        work=edited,
        fields=WorkFields(
            title="Edited Again",
            rating="General Audiences",
            warnings=["No Archive Warnings Apply"],
            fandoms=["After"],
        ),
    )
    Work.objects.filter(pk=unposted.pk).update(posted=False)
    deleted_id = deleted.pk
    work_delete(work=deleted)
    # Before a refresh the index still answers from what it read.
    assert index.search(WorkFilter(), signed_in=False).total == 3

    index.refresh_works([edited.pk, unposted.pk, deleted_id])
    result = index.search(WorkFilter(), signed_in=False)
    assert (result.work_ids, result.total) == ([edited.pk], 1)
    assert fandom_counts(result) == {"After": 1}
    assert index.search(WorkFilter(include_tags=(tag_id("Before"),)), signed_in=False).total == 0
    assert index.search(WorkFilter(include_tags=(tag_id("After"),)), signed_in=False).work_ids == [edited.pk]


def test_a_refreshed_work_takes_its_new_place_in_every_sort(make_work, make_user):
    writer = make_user()
    works = {name: make_work(writer, title=name) for name in ("banana", "Cherry", "apple")}
    index = DiscoveryIndex.build()
    by_title = WorkFilter(sort="title", direction="asc")
    assert index.search(by_title, signed_in=False).work_ids == [works[n].pk for n in ("apple", "banana", "Cherry")]

    Work.objects.filter(pk=works["apple"].pk).update(title="Damson", kudos_count=5)
    index.refresh_works([works["apple"].pk])
    assert index.search(by_title, signed_in=False).work_ids == [works[n].pk for n in ("banana", "Cherry", "apple")]
    assert index.search(WorkFilter(sort="kudos_count"), signed_in=False).work_ids[0] == works["apple"].pk


def test_a_recorded_change_reaches_the_index_through_the_change_log(make_work, make_user, shared_index):
    writer = make_user()
    work = make_work(writer, title="Logged", fandoms=["Logged Fandom"])
    index = get_index()
    assert index.search(WorkFilter(), signed_in=False).work_ids == [work.pk]

    with transaction.atomic():
        Work.objects.filter(pk=work.pk).update(restricted=True)
        record_work_change(work.pk)
    assert WorkChange.objects.filter(work_id=work.pk).exists()

    assert get_index(max_lag=0) is index
    assert index.search(WorkFilter(), signed_in=False).total == 0
    assert index.search(WorkFilter(), signed_in=True).work_ids == [work.pk]
    # Applied changes are not applied again.
    assert index.catch_up() == 0


def test_a_new_work_appears_once_its_change_is_recorded(make_work, make_user):
    writer = make_user()
    index = DiscoveryIndex.build()
    assert index.search(WorkFilter(), signed_in=True).total == 0
    work = make_work(writer, title="Brand New", fandoms=["Fresh"])
    record_work_change(work.pk)
    assert index.catch_up() == 1
    result = index.search(WorkFilter(), signed_in=True)
    assert (result.work_ids, result.total) == ([work.pk], 1)
    assert fandom_counts(result) == {"Fresh": 1}


def test_a_change_committed_after_newer_ones_were_seen_is_still_applied(make_work, make_user):
    writer = make_user()
    work = make_work(writer, title="Slow Transaction")
    index = DiscoveryIndex.build()
    Work.objects.filter(pk=work.pk).update(hidden=True)
    record_work_change(work.pk)
    # As if rows with higher ids had been read before this one's transaction committed.
    index._last_change_id = WorkChange.objects.filter(work_id=work.pk).latest("pk").pk + 10
    assert index.catch_up() == 1
    assert index.search(WorkFilter(), signed_in=True).total == 0
    assert index.catch_up() == 0


def test_the_index_lists_exactly_what_listed_works_allows_for_every_kind_of_reader(make_work, make_user, shared_index):
    """The index applies the visibility rules itself; this keeps it in step with `listed_works`."""
    rng = random.Random(3)
    writers = [make_user(f"w{n}") for n in range(4)]
    works = []
    for n in range(40):
        work = make_work(rng.choice(writers), title=f"Work {n}", post=rng.random() < 0.8, restricted=rng.random() < 0.3)
        works.append(work)
    hidden = [work.pk for work in works if rng.random() < 0.15]
    with transaction.atomic():
        Work.objects.filter(pk__in=hidden).update(hidden=True)
        for work_id in hidden:
            record_work_change(work_id)
    reader, muter = make_user("plainreader"), make_user("muter")
    mute_add(user=muter, muted=writers[0])
    mute_add(user=writers[1], muted=writers[2])
    for viewer in (AnonymousUser(), reader, muter, writers[0], writers[1]):
        result = works_search(work_filter=WorkFilter(), viewer=viewer, page_size=1_000)
        expected = set(listed_works(viewer).values_list("pk", flat=True))
        assert set(result.work_ids) == expected, viewer
        assert result.total == len(expected)


def test_tags_added_and_renamed_later_are_listed_in_the_facets_in_a_fresh_indexs_order(make_work, make_user):
    """Facets list tags of equal count by name. A tag first used after the index was built, or renamed since,
    is put in its place among the others, so the sidebar reads as it would after a restart."""
    rng = random.Random(5)
    writer = make_user()
    names = ["Mango", "apple", "Zebra", "kiwi", "Ápple Pie", "banana"]
    works = [make_work(writer, fandoms=["Shared"], freeforms=[name]) for name in names]
    index = DiscoveryIndex.build()
    index.search(WorkFilter(), signed_in=False)  # the facets' name order is made here
    for name in ["Aardvark", "cherry", "Lemon", "zucchini", "Éclair", "mango Two"]:
        make_work(writer, fandoms=["Shared"], freeforms=[name])
    renamed = Tag.objects.get(name="Zebra")
    renamed.name = "Apricot"
    renamed.save()
    changed = [work.pk for work in Work.objects.all()]
    rng.shuffle(changed)
    for work_id in changed[:6]:
        index.refresh_works([work_id])
    index.refresh_works(changed[6:])

    def freeforms(some_index) -> list[int]:
        return list(some_index.search(WorkFilter(), signed_in=False).facets["freeform"].tag_ids)

    fresh = DiscoveryIndex.build()
    assert freeforms(index) == freeforms(fresh)
    listed = dict(Tag.objects.values_list("pk", "name"))
    assert [listed[tag] for tag in freeforms(fresh)][:3] == ["Aardvark", "apple", "Apricot"]
    assert len(works) == len(names)
