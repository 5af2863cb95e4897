"""The discovery index gives exactly what a plain scan of every work gives: same page, total and facets."""

import dataclasses
import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fanfold.accounts.models import Pseud, User
from fanfold.accounts.services import user_create
from fanfold.discovery.index import DiscoveryIndex
from fanfold.discovery.query import CROSSOVER_CHOICES, DIRECTIONS, SORTS, WorkFilter
from fanfold.tags.models import Tag, TagType, name_key
from fanfold.works.models import Chapter, Creatorship, Work
from fanfold.works.visibility import GUEST, ViewerPolicy

# The marker makes pytest-django create the test database even when only this module runs.
pytestmark = pytest.mark.django_db

WORKS = 450
UNKNOWN_TAG = 987_654_321
START = datetime(2024, 3, 1, tzinfo=UTC)
TITLES = ["The Story", "the story", "Another Day", "zebra", "Émile", "éclair", "Übermut", "apple", "Apple", "b"]
LANGUAGES = ["en", "en", "en", "de", "fr"]


@dataclasses.dataclass
class Row:
    """What the oracle knows about a work: the same facts the database holds."""

    id: int
    title: str
    posted: bool
    hidden: bool
    restricted: bool
    complete: bool
    language: str
    word_count: int
    chapter_count: int
    hit_count: int
    kudos_count: int
    comment_count: int
    bookmark_count: int
    revised_at: datetime | None
    published_on: date | None
    tags: set[int]
    creators: list[tuple[int, str]]  # (user id, pseud name) in credit order


@dataclasses.dataclass
class Dataset:
    rows: dict[int, Row]
    tags: dict[int, tuple[str, str]]  # id -> (type, name)
    by_type: dict[str, list[int]]
    user_ids: list[int]


def _make_dataset(rng: random.Random) -> Dataset:
    users = [
        user_create(username=name, email=f"{name.lower()}@example.org", password="x")
        for name in ("Zed", "alice", "Bob", "carol_", "Dave", "eve")
    ]
    extra = Pseud.objects.create(user=users[1], name="Zora")
    pseuds = [user.default_pseud for user in users] + [extra]

    fixed = Tag.objects.filter(type__in=[TagType.RATING, TagType.WARNING, TagType.CATEGORY])
    by_type: dict[str, list[int]] = {t: [] for t in TagType.values}
    tags: dict[int, tuple[str, str]] = {}
    for tag in fixed:
        by_type[tag.type].append(tag.pk)
        tags[tag.pk] = (tag.type, tag.name)
    wanted = [(TagType.FANDOM, f"Fandom {n}") for n in "ABCDEFG"]
    wanted += [(TagType.CHARACTER, name) for name in ("ann", "Ann Two", "bea", "Cy", "dee", "Éva", "fay", "Gus")]
    wanted += [(TagType.RELATIONSHIP, f"{a}/{b}") for a, b in ("ab", "ac", "bc", "bd", "cd", "Ce")]
    wanted += [(TagType.FREEFORM, name) for name in ("Fluff", "angst", "Angst Two", "hurt", "AU", "au2", "zz", "Éh")]
    created = Tag.objects.bulk_create(
        [Tag(name=f"Oracle {name}", key=name_key(f"Oracle {name}"), type=tag_type) for tag_type, name in wanted]
    )
    for tag in created:
        by_type[tag.type].append(tag.pk)
        tags[tag.pk] = (tag.type, tag.name)

    works, plans = [], []
    for number in range(WORKS):
        when = START + timedelta(days=rng.randrange(60), hours=rng.choice([0, 0, 5]))
        work = Work(
            title=rng.choice(TITLES),
            posted=rng.random() < 0.85,
            hidden=rng.random() < 0.05,
            restricted=rng.random() < 0.2,
            complete=rng.random() < 0.5,
            language=rng.choice(LANGUAGES),
            word_count=rng.choice([100, 500, 1000, 1000, 3000, 12000]) + rng.choice([0, 0, 7]),
            chapter_count=rng.choice([1, 1, 2, 3]),
            hit_count=rng.randrange(5),
            kudos_count=rng.randrange(4),
            comment_count=rng.randrange(3),
            bookmark_count=rng.randrange(2),
            revised_at=None if number % 37 == 0 else when,
            published_on=None if number % 41 == 0 else (when - timedelta(days=rng.randrange(3))).date(),
            created_at=START,
        )
        own = {rng.choice(by_type[TagType.RATING])}
        own |= set(rng.sample(by_type[TagType.WARNING], rng.randint(1, 2)))
        own |= set(rng.sample(by_type[TagType.CATEGORY], rng.randint(0, 2)))
        fandoms = by_type[TagType.FANDOM]
        own |= set(rng.choices(fandoms, weights=range(len(fandoms), 0, -1), k=rng.choice([1, 1, 1, 2, 3])))
        for tag_type, most in ((TagType.CHARACTER, 4), (TagType.RELATIONSHIP, 2), (TagType.FREEFORM, 4)):
            own |= set(rng.sample(by_type[tag_type], rng.randint(0, most)))
        credits = rng.sample(pseuds, rng.choice([1, 1, 1, 2]))
        works.append(work)
        plans.append((own, credits))
    Work.objects.bulk_create(works)
    Chapter.objects.bulk_create(
        [Chapter(work=work, position=1, content="<p>Text.</p>", posted=work.posted) for work in works]
    )
    Creatorship.objects.bulk_create(
        [
            Creatorship(work=work, pseud=pseud, position=position)
            for work, (_own, credits) in zip(works, plans, strict=True)
            for position, pseud in enumerate(credits)
        ]
    )
    Work.tags.through.objects.bulk_create(
        [
            Work.tags.through(work_id=work.pk, tag_id=tag_id)
            for work, (own, _credits) in zip(works, plans, strict=True)
            for tag_id in own
        ]
    )
    rows = {}
    for work, (own, credits) in zip(works, plans, strict=True):
        rows[work.pk] = Row(
            id=work.pk,
            title=work.title,
            posted=work.posted,
            hidden=work.hidden,
            restricted=work.restricted,
            complete=work.complete,
            language=work.language,
            word_count=work.word_count,
            chapter_count=work.chapter_count,
            hit_count=work.hit_count,
            kudos_count=work.kudos_count,
            comment_count=work.comment_count,
            bookmark_count=work.bookmark_count,
            revised_at=work.revised_at,
            published_on=work.published_on,
            tags=own,
            creators=[(pseud.user_id, pseud.name) for pseud in credits],
        )
    return Dataset(rows=rows, tags=tags, by_type=by_type, user_ids=[user.pk for user in users])


def _change_some_works(data: Dataset, rng: random.Random) -> list[int]:
    """Edit, unpost, hide, restrict and delete a few works in the database and in the oracle's rows."""
    ids = rng.sample(sorted(data.rows), 60)
    for work_id in ids[:20]:  # new tags and title
        row = data.rows[work_id]
        dropped = set(rng.sample(sorted(row.tags), 1)) - set(data.by_type[TagType.RATING])
        added = set(rng.sample(data.by_type[TagType.FREEFORM] + data.by_type[TagType.FANDOM], 2))
        Work.tags.through.objects.filter(work_id=work_id, tag_id__in=dropped).delete()
        kept = row.tags - dropped
        Work.tags.through.objects.bulk_create([Work.tags.through(work_id=work_id, tag_id=t) for t in added - kept])
        row.tags = kept | added
        row.title = rng.choice(TITLES)
        row.kudos_count += 1
        Work.objects.filter(pk=work_id).update(title=row.title, kudos_count=row.kudos_count)
    for work_id in ids[20:30]:
        data.rows[work_id].posted = not data.rows[work_id].posted
        Work.objects.filter(pk=work_id).update(posted=data.rows[work_id].posted)
    for work_id in ids[30:35]:
        data.rows[work_id].hidden = True
        Work.objects.filter(pk=work_id).update(hidden=True)
    for work_id in ids[35:45]:
        data.rows[work_id].restricted = not data.rows[work_id].restricted
        Work.objects.filter(pk=work_id).update(restricted=data.rows[work_id].restricted)
    for work_id in ids[45:50]:
        del data.rows[work_id]
        Work.objects.filter(pk=work_id).delete()
    # ids[50:] are refreshed without any change, which must change nothing.
    return ids


@pytest.fixture(scope="module")
def indexes(django_db_setup, django_db_blocker):
    """One dataset for the whole module; an index built before some changes and refreshed after them,
    and one built after them."""
    rng = random.Random(20240301)
    with django_db_blocker.unblock():
        name = str(connection.settings_dict["NAME"])
        assert "test" in name or "memory" in name, f"refusing to write test data into {name}"
        data = _make_dataset(rng)
        refreshed = DiscoveryIndex.build()
        changed = _change_some_works(data, rng)
        refreshed.refresh_works(changed + [UNKNOWN_TAG])
        fresh = DiscoveryIndex.build()
        yield data, {"fresh": fresh, "refreshed": refreshed}
        Work.objects.filter(pk__in=list(data.rows)).delete()
        Tag.objects.filter(name__startswith="Oracle ").delete()
        User.objects.filter(pk__in=data.user_ids).delete()


# The oracle ----------------------------------------------------------------------------------------


def _sort_key(row: Row, sort: str):
    if sort == "title":
        return row.title.casefold()
    if sort == "creator":
        return ", ".join(name for _user, name in row.creators).casefold()
    value = getattr(row, sort)
    if sort in ("revised_at", "published_on"):
        return (value is not None, value or date.min)
    return value


def _matches(row: Row, f: WorkFilter, data: Dataset, policy: ViewerPolicy) -> bool:
    if not row.posted or row.hidden or (row.restricted and not policy.signed_in):
        return False
    if not all(t in row.tags for t in f.include_tags):
        return False
    for wanted in (f.ratings, f.warnings, f.categories):
        if wanted and not row.tags & set(wanted):
            return False
    creators = {user for user, _name in row.creators}
    if not set(f.creator_user_ids) <= creators:
        return False
    if row.tags & set(f.exclude_tags):
        return False
    # Standing exclusions (muted creators, always-excluded tags) never take away the viewer's own works.
    standing = row.tags & policy.excluded_tag_ids or creators & policy.muted_user_ids
    if standing and policy.user_id not in creators:
        return False
    if f.complete is not None and row.complete != f.complete:
        return False
    if f.single_chapter and row.chapter_count != 1:
        return False
    if f.words_from is not None and row.word_count < f.words_from:
        return False
    if f.words_to is not None and row.word_count > f.words_to:
        return False
    if f.updated_from is not None or f.updated_to is not None:
        if row.revised_at is None:
            return False
        day = row.revised_at.astimezone(UTC).date()
        if (f.updated_from and day < f.updated_from) or (f.updated_to and day > f.updated_to):
            return False
    if f.language is not None and row.language != f.language:
        return False
    crossover = sum(1 for t in row.tags if data.tags[t][0] == TagType.FANDOM) >= 2
    if (f.crossover == "only" and not crossover) or (f.crossover == "exclude" and crossover):
        return False
    return True


def oracle(data: Dataset, f: WorkFilter, *, policy: ViewerPolicy, page_size: int, ranges=()):
    matched = [row for row in data.rows.values() if _matches(row, f, data, policy)]
    matched = [row for row in matched if all(low <= getattr(row, column) <= high for column, low, high in ranges)]
    if f.direction == "asc":
        matched.sort(key=lambda row: (_sort_key(row, f.sort), -row.id))
    else:
        matched.sort(key=lambda row: (_sort_key(row, f.sort), row.id), reverse=True)
    start = (f.page - 1) * page_size
    page = [row.id for row in matched[start : start + page_size]]
    counts = Counter(t for row in matched for t in row.tags)
    facets = {tag_type: [] for tag_type in TagType.values}
    for tag_id, count in counts.items():
        facets[data.tags[tag_id][0]].append((tag_id, count))
    for tag_type in facets:
        facets[tag_type].sort(key=lambda item: (-item[1], data.tags[item[0]][1].casefold(), item[0]))
    return page, len(matched), facets


def assert_same_as_oracle(data, index, work_filter, *, policy, page_size, ranges=()):
    expected_page, expected_total, expected_facets = oracle(
        data, work_filter, policy=policy, page_size=page_size, ranges=ranges
    )
    result = index.search(work_filter, policy=policy, page_size=page_size, ranges=ranges)
    assert result.total == expected_total
    assert result.work_ids == expected_page
    assert result.facets == expected_facets


# The checks ----------------------------------------------------------------------------------------


@st.composite
def work_filters(draw, data: Dataset):
    user_tags = sorted(
        t for t, (tag_type, _n) in data.tags.items() if tag_type not in ("rating", "warning", "category")
    )
    some_tags = st.lists(st.sampled_from(user_tags + [UNKNOWN_TAG]), max_size=2)

    def some(tag_type, most):
        return st.lists(st.sampled_from(data.by_type[tag_type]), max_size=most)

    words = st.none() | st.sampled_from([0, 100, 500, 1000, 1007, 3000, 12007])
    days = st.none() | st.dates(min_value=date(2024, 2, 25), max_value=date(2024, 5, 5))
    return WorkFilter(
        include_tags=draw(some_tags),
        exclude_tags=draw(some_tags),
        ratings=draw(some(TagType.RATING, 3)),
        warnings=draw(some(TagType.WARNING, 2)),
        categories=draw(some(TagType.CATEGORY, 2)),
        complete=draw(st.sampled_from([None, None, True, False])),
        single_chapter=draw(st.booleans()),
        words_from=draw(words),
        words_to=draw(words),
        updated_from=draw(days),
        updated_to=draw(days),
        language=draw(st.none() | st.sampled_from(["en", "de", "fr", "ja"])),
        crossover=draw(st.sampled_from(CROSSOVER_CHOICES)),
        sort=draw(st.sampled_from(SORTS)),
        direction=draw(st.sampled_from(DIRECTIONS)),
        page=draw(st.integers(min_value=1, max_value=4)),
        creator_user_ids=draw(st.lists(st.sampled_from(data.user_ids), max_size=1)),
    )


@st.composite
def policies(draw, data: Dataset):
    """Guests, and signed-in readers (creators in the dataset or not) with mutes and excluded tags."""
    if draw(st.booleans()):
        return GUEST
    user_tags = sorted(t for t, (tag_type, _n) in data.tags.items() if tag_type not in ("rating", "warning"))
    return ViewerPolicy(
        user_id=draw(st.sampled_from(data.user_ids + [UNKNOWN_TAG])),
        muted_user_ids=frozenset(draw(st.lists(st.sampled_from(data.user_ids), max_size=2))),
        excluded_tag_ids=frozenset(draw(st.lists(st.sampled_from(user_tags + [UNKNOWN_TAG]), max_size=2))),
    )


@pytest.mark.parametrize("which", ["fresh", "refreshed"])
def test_random_filters_match_the_oracle(indexes, which):
    data, built = indexes
    index = built[which]

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        work_filter=work_filters(data),
        policy=policies(data),
        page_size=st.sampled_from([3, 20]),
        # Most real listings use few filters; keep those common so large result sets are well covered.
        plain=st.booleans(),
        # Limits typed in the search box (kudos>=2, chapters:1-2, ...), as the selector hands them over.
        ranges=st.lists(
            st.tuples(
                st.sampled_from(["word_count", "chapter_count", "hit_count", "kudos_count", "comment_count"]),
                st.integers(min_value=0, max_value=3),
                st.sampled_from([0, 1, 2, 3, 2**62]),
            ),
            max_size=2,
        ),
    )
    def check(work_filter, policy, page_size, plain, ranges):
        if plain:
            work_filter = WorkFilter(
                ratings=work_filter.ratings,
                sort=work_filter.sort,
                direction=work_filter.direction,
                page=work_filter.page,
            )
        assert_same_as_oracle(data, index, work_filter, policy=policy, page_size=page_size, ranges=ranges)

    check()


@pytest.mark.parametrize("which", ["fresh", "refreshed"])
@pytest.mark.parametrize("sort", SORTS)
def test_every_sort_in_both_directions_pages_like_the_oracle(indexes, which, sort):
    data, built = indexes
    for direction in DIRECTIONS:
        for page in (1, 2, 7):
            for policy in (GUEST, ViewerPolicy(user_id=UNKNOWN_TAG)):
                work_filter = WorkFilter(sort=sort, direction=direction, page=page)
                assert_same_as_oracle(data, built[which], work_filter, policy=policy, page_size=20)


def test_the_oracle_dataset_covers_the_cases_that_matter(indexes):
    data, built = indexes
    rows = list(data.rows.values())
    assert any(not row.posted for row in rows) and any(row.hidden for row in rows)
    assert any(row.restricted and row.posted and not row.hidden for row in rows)
    assert any(row.revised_at is None for row in rows)
    guest = built["fresh"].search(WorkFilter(), signed_in=False)
    member = built["fresh"].search(WorkFilter(), signed_in=True)
    assert 0 < guest.total < member.total < len(rows)
    assert built["refreshed"].doc_count > len(built["refreshed"])
