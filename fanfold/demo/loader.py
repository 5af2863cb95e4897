"""Load the demo archive through the same services people use: creators, pseuds, works, kudos, comments."""

import dataclasses
import random
from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from fanfold.accounts.models import Pseud, User
from fanfold.accounts.services import LinkFields, profile_update, pseud_create, user_create
from fanfold.core.html import FORMAT_HTML, FORMAT_MARKDOWN
from fanfold.demo import prose
from fanfold.works.models import CommentPermission, Work
from fanfold.works.services import ChapterFields, WorkFields, chapter_add, work_create

# Long, unusual and not in Django's common-password list, so the demo accounts pass every validator.
DEMO_PASSWORD = "folded-paper-lantern-42"  # noqa: S105 - published on purpose
DEMO_USERNAME = "demo"
ADMIN_USERNAME = "admin"

GA, TEEN, MATURE, EXPLICIT, NOT_RATED = (
    "General Audiences",
    "Teen And Up Audiences",
    "Mature",
    "Explicit",
    "Not Rated",
)
NO_WARNINGS = ["No Archive Warnings Apply"]
CHOSE_NOT = ["Creator Chose Not To Use Archive Warnings"]
VIOLENCE = "Graphic Depictions Of Violence"
DEATH = "Major Character Death"

ORIGINAL = "Original Work"
MYTHS = "Myths & Legends (Traditional)"
HOLMES = "Sherlock Holmes - Arthur Conan Doyle"
AUSTEN = "Pride and Prejudice - Jane Austen"
QUIET_BELT = "The Quiet Belt (Web Serial)"


@dataclasses.dataclass
class Creator:
    username: str
    bio: str
    links: list[tuple[str, str]]
    pseuds: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    show_links_on_works: bool = False


CREATORS = [
    Creator(
        "demo",
        "I write small stories about lighthouses, harbours and the people who keep them lit.\n\n"
        "Comments are always welcome, even a single word.",
        [("Writing journal", "https://example.org/demo/journal"), ("Prompts", "https://example.org/demo/prompts")],
        show_links_on_works=True,
    ),
    Creator(
        "inkwell",
        "Victorian fog, borrowed clocks and case files. I post darker things as **Marginalia**.",
        [("Archive of notes", "https://example.org/inkwell")],
        pseuds=[("Marginalia", "Where the darker case files live. Heed the tags.")],
    ),
    Creator(
        "quillfeather",
        "Regency letters, long walks and gardens. Slow updates, happy endings.",
        [("Letters blog", "https://example.org/quillfeather")],
    ),
    Creator(
        "starlit",
        "Space opera, myths and anything with a river in it.\n\nCo-writing requests welcome.",
        [("Star charts", "https://example.org/starlit"), ("Mastodon", "https://social.example.org/@starlit")],
    ),
]


@dataclasses.dataclass
class DemoWork:
    creators: list[str]  # "username" or "username:Pseud name"
    title: str
    fandoms: list[str]
    rating: str
    warnings: list[str]
    categories: list[str]
    cast: tuple[str, str]
    setting: str
    days_ago: int
    relationships: list[str] = dataclasses.field(default_factory=list)
    characters: list[str] = dataclasses.field(default_factory=list)
    freeforms: list[str] = dataclasses.field(default_factory=list)
    summary: str = ""
    notes: str = ""
    end_notes: str = ""
    chapters: int = 1
    expected_chapters: int | None = -1  # -1: as many as `chapters`
    chapter_titles: list[str] = dataclasses.field(default_factory=list)
    sections: int = 1
    text_format: str = FORMAT_HTML
    letters: bool = False
    language: str = "en"
    restricted: bool = False
    draft: bool = False
    comment_permission: str = CommentPermission.REGISTERED
    # Chapters written out in full (rich text), in place of made-up prose.
    texts: tuple[Callable[[], str], ...] = ()


WORKS = [
    DemoWork(
        ["demo"],
        prose.SIX_LAMPS_TITLE,
        [ORIGINAL],
        GA,
        NO_WARNINGS,
        ["Gen"],
        ("Maren", "Tobias"),
        "coast",
        3,
        relationships=["Maren Holt & Tobias Wren"],
        characters=["Maren Holt", "Tobias Wren"],
        freeforms=["Lighthouses", "Non-Linear Narrative", "Vignettes"],
        summary="Six lamps, one winter, and the order the keepers lit them in.",
        notes="Each section is one lamp. The numbering starts over at the end on purpose.",
        end_notes="Thank you for reading! My other lamp stories are linked from my profile.",
        chapters=2,
        chapter_titles=["Six Lamps", "Afterwards"],
        texts=(prose.six_lamps, prose.more_lamps),
    ),
    DemoWork(
        ["demo"],
        "The Lamp at Gull Point",
        [ORIGINAL],
        GA,
        NO_WARNINGS,
        ["Gen"],
        ("Maren", "Tobias"),
        "coast",
        700,
        relationships=["Maren Holt & Tobias Wren"],
        characters=["Maren Holt", "Tobias Wren"],
        freeforms=["Lighthouses", "Found Family", "Slice of Life"],
        summary="A new keeper, an old lamp, and one winter to learn which of them is more stubborn.",
        notes="Written for a winter prompt: *a light that will not go out*.",
        end_notes="Thank you for reading! The lamp gets a sequel eventually.",
        chapters=3,
        chapter_titles=["The New Keeper", "Fog Week", "First Light"],
        sections=2,
        text_format=FORMAT_MARKDOWN,
        comment_permission=CommentPermission.EVERYONE,
    ),
    DemoWork(
        ["demo"],
        "Salt and Signal",
        [ORIGINAL],
        TEEN,
        NO_WARNINGS,
        ["F/F"],
        ("Maren", "Isolde"),
        "coast",
        400,
        relationships=["Maren Holt/Isolde Fenn"],
        characters=["Maren Holt", "Isolde Fenn"],
        freeforms=["Slow Burn", "Letters", "Work In Progress"],
        summary="Isolde charts the coast for the Admiralty. Maren would rather she charted it somewhere else.",
        notes="Updates roughly monthly.",
        chapters=4,
        expected_chapters=6,
        chapter_titles=["Soundings", "Low Water", "A Borrowed Coat", "Signal Flags"],
    ),
    DemoWork(
        ["demo"],
        "A Quiet Inventory",
        [ORIGINAL],
        NOT_RATED,
        CHOSE_NOT,
        ["Other"],
        ("the keeper", "the visitor"),
        "coast",
        30,
        freeforms=["Drabble", "Ambiguous Ending"],
        summary="Everything in the cottage, counted once more before the boat comes.",
    ),
    DemoWork(
        ["demo"],
        "The Keeper's Almanac",
        [ORIGINAL],
        GA,
        NO_WARNINGS,
        ["Gen"],
        ("Maren", "Tobias"),
        "coast",
        0,
        characters=["Maren Holt"],
        freeforms=["Unfinished"],
        summary="Notes for a longer piece. Not posted yet.",
        draft=True,
    ),
    DemoWork(
        ["demo"],
        "Small Hours at the Harbour",
        [ORIGINAL],
        GA,
        NO_WARNINGS,
        ["Gen"],
        ("Tobias", "the harbourmaster"),
        "coast",
        10,
        characters=["Tobias Wren", "Original Characters"],
        freeforms=["Insomnia", "Comfort"],
        summary="Nobody sleeps well the night before the boats go out.",
        comment_permission=CommentPermission.EVERYONE,
    ),
    DemoWork(
        ["demo"],
        "雨の駅で",
        [ORIGINAL],
        GA,
        NO_WARNINGS,
        ["Gen"],
        ("葵", "蓮"),
        "coast",
        250,
        characters=["葵", "蓮"],
        freeforms=["日常", "雨"],
        summary="雨の日、駅のホームで二人は古い鍵を見つける。",
        notes="短い話です。読んでくれてありがとう。",
        text_format=FORMAT_MARKDOWN,
        sections=2,
        language="ja",
    ),
    DemoWork(
        ["inkwell"],
        "The Adventure of the Borrowed Clock",
        [HOLMES],
        GA,
        NO_WARNINGS,
        ["Gen"],
        ("Holmes", "Watson"),
        "london",
        650,
        relationships=["Sherlock Holmes & John Watson"],
        characters=["Sherlock Holmes", "John Watson", "Mrs. Hudson"],
        freeforms=["Case Fic", "Victorian London", "Fog"],
        summary="A clock arrives at Baker Street that nobody ordered, and it runs eleven minutes slow.",
        notes="Set between the published cases.",
        chapters=2,
        chapter_titles=["The Clock", "The Eleven Minutes"],
    ),
    DemoWork(
        ["inkwell:Marginalia"],
        "Seven Letters from Baker Street",
        [HOLMES],
        TEEN,
        NO_WARNINGS,
        ["M/M"],
        ("Watson", "Holmes"),
        "london",
        500,
        relationships=["Sherlock Holmes/John Watson"],
        characters=["Sherlock Holmes", "John Watson"],
        freeforms=["Epistolary", "Pining", "Letters"],
        summary="Watson writes while Holmes is away. Holmes, eventually, writes back.",
        chapters=3,
        expected_chapters=7,
        chapter_titles=["The First Letter", "The Second Letter", "The Third Letter"],
        letters=True,
    ),
    DemoWork(
        ["inkwell:Marginalia"],
        "What the Fog Kept",
        [HOLMES],
        MATURE,
        [VIOLENCE],
        ["Gen"],
        ("Holmes", "Watson"),
        "london",
        200,
        characters=["Sherlock Holmes", "John Watson", "Inspector Lestrade"],
        freeforms=["Angst", "Canon-Typical Violence", "Dark"],
        summary="Three nights, two bodies, one river. Please heed the warnings.",
        notes="Heed the archive warning: violence is described, though not at length.",
        sections=3,
        text_format=FORMAT_MARKDOWN,
    ),
    DemoWork(
        ["inkwell"],
        "The Last Case, Told Twice",
        [HOLMES],
        TEEN,
        [DEATH],
        ["Gen"],
        ("Watson", "Mrs. Hudson"),
        "london",
        90,
        relationships=["John Watson & Mrs. Hudson"],
        characters=["John Watson", "Mrs. Hudson", "Sherlock Holmes"],
        freeforms=["Alternate Universe - Canon Divergence", "Grief", "Hopeful Ending"],
        summary="Once as the papers told it, and once as it happened.",
        chapters=2,
        chapter_titles=["As Reported", "As It Was"],
    ),
    DemoWork(
        ["quillfeather"],
        "An Unexpected Correspondence",
        [AUSTEN],
        GA,
        NO_WARNINGS,
        ["F/M"],
        ("Elizabeth", "Darcy"),
        "regency",
        600,
        relationships=["Elizabeth Bennet/Fitzwilliam Darcy"],
        characters=["Elizabeth Bennet", "Fitzwilliam Darcy", "Jane Bennet"],
        freeforms=["Regency", "Letters", "Fluff", "Happy Ending"],
        summary="What if the letter at Rosings had been answered?",
        notes="My first work here. Be gentle!",
        end_notes="Thank you for every comment; they kept me writing.",
        chapters=3,
        chapter_titles=["Rosings", "A Reply", "Pemberley in Spring"],
        letters=True,
    ),
    DemoWork(
        ["quillfeather"],
        "Sisters at Longbourn",
        [AUSTEN],
        GA,
        NO_WARNINGS,
        ["Gen"],
        ("Jane", "Elizabeth"),
        "regency",
        350,
        relationships=["Jane Bennet & Elizabeth Bennet"],
        characters=["Jane Bennet", "Elizabeth Bennet", "Mary Bennet"],
        freeforms=["Sibling Bonding", "Missing Scene"],
        summary="The night before Jane leaves for London, neither sister can sleep.",
        sections=2,
        text_format=FORMAT_MARKDOWN,
    ),
    DemoWork(
        ["quillfeather"],
        "A Proposal in the Rain, Revisited",
        [AUSTEN],
        EXPLICIT,
        NO_WARNINGS,
        ["F/M"],
        ("Elizabeth", "Darcy"),
        "regency",
        180,
        relationships=["Elizabeth Bennet/Fitzwilliam Darcy"],
        characters=["Elizabeth Bennet", "Fitzwilliam Darcy"],
        freeforms=["Married Life", "Established Relationship", "Anniversary"],
        summary="A year married, they go back to the lane where it rained.",
        notes="Only signed-in readers can see this one.",
        restricted=True,
    ),
    DemoWork(
        ["quillfeather"],
        "The Netherfield Ball, from the Musicians' Gallery",
        [AUSTEN],
        TEEN,
        CHOSE_NOT,
        ["Gen", "Multi"],
        ("the first violin", "the harpist"),
        "regency",
        150,
        characters=["Original Characters", "Charles Bingley"],
        freeforms=["Outsider Perspective", "Music"],
        summary="The musicians saw everything. They always do.",
    ),
    DemoWork(
        ["quillfeather"],
        "Notes Toward a Garden",
        [ORIGINAL],
        GA,
        NO_WARNINGS,
        ["Gen"],
        ("Nell", "Mr. Abara"),
        "garden",
        5,
        characters=["Original Characters"],
        freeforms=["Gardening", "Neighbours", "Quiet"],
        summary="An allotment, a borrowed trowel, and a year of weather.",
        chapters=2,
        expected_chapters=None,
        text_format=FORMAT_MARKDOWN,
        comment_permission=CommentPermission.EVERYONE,
    ),
    DemoWork(
        ["starlit"],
        "The Ferryman's Daughter",
        [MYTHS],
        TEEN,
        NO_WARNINGS,
        ["F/F"],
        ("Orla", "Wren of the Reeds"),
        "myth",
        550,
        relationships=["Orla/Wren of the Reeds"],
        characters=["Orla", "Wren of the Reeds", "The Ferryman"],
        freeforms=["Mythology", "Retelling", "Rivers"],
        summary="Every crossing costs a coin. Orla has been saving hers for something else.",
        chapters=2,
        chapter_titles=["The Near Bank", "The Far Bank"],
    ),
    DemoWork(
        ["starlit"],
        "Three Gifts for the Mountain",
        [MYTHS],
        GA,
        NO_WARNINGS,
        ["Gen"],
        ("the youngest sister", "the mountain"),
        "myth",
        300,
        characters=["The Youngest Sister", "The Mountain"],
        freeforms=["Fairy Tale Structure", "Rule of Three"],
        summary="A comb, a loaf and a flute. The mountain only wanted one of them.",
        sections=3,
        text_format=FORMAT_MARKDOWN,
        comment_permission=CommentPermission.EVERYONE,
    ),
    DemoWork(
        ["starlit"],
        "Orbit of Small Hours",
        [QUIET_BELT],
        MATURE,
        NO_WARNINGS,
        ["M/M"],
        ("Idris", "Sorrel"),
        "space",
        450,
        relationships=["Idris Vale/Sorrel Ames", "Idris Vale & Juno Okafor"],
        characters=["Idris Vale", "Sorrel Ames", "Juno Okafor"],
        freeforms=["Space Opera", "Hurt/Comfort", "Zero Gravity"],
        summary="A freighter, a stowaway, and a long way between stations.",
        notes="Each chapter is one watch of the night shift.",
        end_notes="Finished at last. Thank you for riding along.",
        chapters=5,
        chapter_titles=["First Watch", "Second Watch", "Third Watch", "Fourth Watch", "Dawn Watch"],
    ),
    DemoWork(
        ["starlit"],
        "Dead Reckoning",
        [QUIET_BELT],
        TEEN,
        [DEATH, VIOLENCE],
        ["Gen"],
        ("Juno", "Idris"),
        "space",
        120,
        characters=["Juno Okafor", "Idris Vale"],
        freeforms=["Angst", "Sacrifice", "Canon Compliant"],
        summary="The navigator always knew where they were. That was the problem.",
        sections=2,
        text_format=FORMAT_MARKDOWN,
    ),
    DemoWork(
        ["starlit", "inkwell"],
        "Holmes Aboard the Quiet Belt",
        [HOLMES, QUIET_BELT],
        TEEN,
        NO_WARNINGS,
        ["Gen"],
        ("Holmes", "Juno"),
        "space",
        60,
        relationships=["Sherlock Holmes & Juno Okafor"],
        characters=["Sherlock Holmes", "Juno Okafor", "John Watson"],
        freeforms=["Crossover", "Time Travel", "Locked Room Mystery"],
        summary="A locked-room mystery, except the room is a spaceship and the detective is very lost.",
        notes="A co-written crossover: we took turns, a paragraph each.",
        chapters=2,
    ),
    DemoWork(
        ["starlit"],
        "Weather Report for a Small Moon",
        [QUIET_BELT],
        GA,
        NO_WARNINGS,
        ["F/F"],
        ("Juno", "Mira"),
        "space",
        20,
        relationships=["Juno Okafor/Mira Sand"],
        characters=["Juno Okafor", "Mira Sand"],
        freeforms=["Fluff", "Shore Leave"],
        summary="Shore leave on a moon with exactly one café and far too much weather.",
        chapters=2,
        expected_chapters=None,
    ),
]


@dataclasses.dataclass
class DemoComment:
    work: str
    commenter: str  # a demo username, or "" for a guest
    content: str
    reply: str = ""  # the work's creator answers, when given


# Few enough per person that no one reaches the comment rate limit while the demo loads.
COMMENTS = [
    DemoComment(
        "The Lamp at Gull Point",
        "inkwell",
        "This made my whole week. The part with the *lamp* in the fog!",
        reply="Thank you so much for reading!",
    ),
    DemoComment("The Lamp at Gull Point", "", "Found this by chance and read it twice. Lovely."),
    DemoComment(
        "Seven Letters from Baker Street",
        "quillfeather",
        "The fourth letter undid me. Thank you for writing this.",
        reply="That letter was my favourite to write. Thank you!",
    ),
    DemoComment(
        "An Unexpected Correspondence",
        "starlit",
        "I keep coming back to the reply at Rosings. So good.",
        reply="Thank you! More letters soon.",
    ),
    DemoComment(
        "Orbit of Small Hours",
        "demo",
        "The atmosphere here is wonderful; I could hear the recyclers humming.",
        reply="Thank you for riding along!",
    ),
    DemoComment("Three Gifts for the Mountain", "quillfeather", "Bookmarking this to reread on a rainy day."),
    DemoComment(
        "Dead Reckoning",
        "inkwell",
        "Oh, I did not expect that turn. Ouch, in the best way.",
        reply="Sorry! (Not sorry.) Thank you for reading.",
    ),
    DemoComment("Notes Toward a Garden", "demo", "More allotment stories, please!"),
]


def _pseud(spec: str, pseuds: dict[tuple[str, str], Pseud]) -> Pseud:
    username, _, name = spec.partition(":")
    return pseuds[(username, name or username)]


def _chapter_fields(rng: random.Random, work: DemoWork, number: int, published_on) -> ChapterFields:
    if work.texts:
        content = work.texts[number - 1]()
        text_format = FORMAT_HTML
    elif work.letters:
        sender, recipient = work.cast if number % 2 else work.cast[::-1]
        content = prose.letter(rng, sender=sender, recipient=recipient, setting=work.setting)
        text_format = FORMAT_HTML
    else:
        content = prose.chapter_text(
            rng,
            cast=work.cast,
            setting=work.setting,
            text_format=work.text_format,
            sections=work.sections,
            language=work.language,
        )
        text_format = work.text_format
    title = work.chapter_titles[number - 1] if number <= len(work.chapter_titles) else ""
    return ChapterFields(content=content, title=title, published_on=published_on, text_format=text_format)


def _create_work(work: DemoWork, pseuds: dict[tuple[str, str], Pseud], today) -> Work:
    rng = random.Random(work.title)
    # Chapters were posted a few weeks apart, the last no later than today.
    published = today - timedelta(days=work.days_ago)
    step = min(21, work.days_ago // max(work.chapters, 1))
    fields = WorkFields(
        title=work.title,
        rating=work.rating,
        warnings=work.warnings,
        fandoms=work.fandoms,
        categories=work.categories,
        relationships=work.relationships,
        characters=work.characters,
        freeforms=work.freeforms,
        summary=work.summary,
        notes=work.notes,
        end_notes=work.end_notes,
        language=work.language,
        expected_chapters=work.chapters if work.expected_chapters == -1 else work.expected_chapters,
        published_on=None if work.draft else published,
        restricted=work.restricted,
        comment_permission=work.comment_permission,
        text_format=FORMAT_MARKDOWN,
    )
    created = work_create(
        pseuds=[_pseud(spec, pseuds) for spec in work.creators],
        fields=fields,
        chapter=_chapter_fields(rng, work, 1, None if work.draft else published),
        post=not work.draft,
    )
    for number in range(2, work.chapters + 1):
        on = None if work.draft else published + timedelta(days=step * (number - 1))
        chapter_add(work=created, fields=_chapter_fields(rng, work, number, on), post=not work.draft)
    return created


def _reactions(works: list[Work], users: dict[str, User], warn: Callable[[str], None]) -> tuple[int, int]:
    """Kudos and a few comment threads, if this version of the archive has the services for them."""
    from fanfold.interactions import services as interactions

    kudos_give = getattr(interactions, "kudos_give", None)
    comment_create = getattr(interactions, "comment_create", None)
    failures: list[str] = []

    def attempt(call: Callable[[], object]) -> object | None:
        # A savepoint each, so one refused reaction leaves the rest of the demo standing.
        try:
            with transaction.atomic():
                return call()
        except Exception as error:  # reported below: the demo stands without its reactions
            failures.append(f"{type(error).__name__}: {error}")
            return None

    kudos = comments = 0
    readers = list(users.values())
    posted = [work for work in works if work.posted]
    if kudos_give is not None:
        for index, work in enumerate(posted):
            creator_ids = {pseud.user_id for pseud in work.creators.all()}
            fans = [user for user in readers if user.pk not in creator_ids]
            for user in fans[: 1 + index % len(fans)]:
                kudos += attempt(lambda work=work, user=user: kudos_give(work=work, user=user)) is not None
            if not work.restricted:
                for guest in range(index % 4):
                    ip = f"192.0.2.{10 + index * 4 + guest}"  # documentation addresses, never real readers
                    kudos += attempt(lambda work=work, ip=ip: kudos_give(work=work, ip_address=ip)) is not None
    if comment_create is not None:
        by_title = {work.title: work for work in posted}
        for number, planned in enumerate(COMMENTS):
            work = by_title[planned.work]
            ip = f"198.51.100.{number + 1}"
            if planned.commenter:
                user = users[planned.commenter]
                who = {"user": user, "pseud": user.default_pseud}
            else:
                who = {"guest_name": "Harbour Reader", "guest_email": "reader@example.org"}
            comment = attempt(
                lambda work=work, who=who, ip=ip, planned=planned: comment_create(
                    work=work, content=planned.content, text_format=FORMAT_MARKDOWN, ip_address=ip, **who
                )
            )
            comments += comment is not None
            if comment is not None and planned.reply:
                pseud = work.creators.first()
                reply = attempt(
                    lambda work=work, comment=comment, pseud=pseud, ip=ip, planned=planned: comment_create(
                        work=work,
                        parent=comment,
                        user=pseud.user,
                        pseud=pseud,
                        content=planned.reply,
                        text_format=FORMAT_MARKDOWN,
                        ip_address=ip,
                    )
                )
                comments += reply is not None
    if failures:
        warn(f"Skipped {len(failures)} demo kudos or comments; the first was refused with {failures[0]}")
    return kudos, comments


@dataclasses.dataclass
class DemoSummary:
    created: bool
    creators: int = 0
    works: int = 0
    chapters: int = 0
    fandoms: int = 0
    kudos: int = 0
    comments: int = 0


def demo_admin_ensure() -> bool:
    """An `admin` superuser with the demo password; True if it was made now."""
    if User.objects.filter(username__iexact=ADMIN_USERNAME).exists():
        return False
    admin = user_create(username=ADMIN_USERNAME, email="admin@example.org", password=DEMO_PASSWORD)
    admin.is_staff = admin.is_superuser = True
    admin.save(update_fields=["is_staff", "is_superuser"])
    return True


@transaction.atomic
def demo_load(*, warn: Callable[[str], None] = lambda message: None) -> DemoSummary:
    """Create the demo archive unless its creators already exist; all of it or none of it."""
    if User.objects.filter(username__in=[c.username for c in CREATORS]).exists():
        return DemoSummary(created=False)
    users: dict[str, User] = {}
    pseuds: dict[tuple[str, str], Pseud] = {}
    for creator in CREATORS:
        user = user_create(username=creator.username, email=f"{creator.username}@example.org", password=DEMO_PASSWORD)
        profile_update(
            user=user,
            bio=creator.bio,
            text_format=FORMAT_MARKDOWN,
            show_links_on_works=creator.show_links_on_works,
            links=[LinkFields(label=label, url=url) for label, url in creator.links],
        )
        users[user.username] = user
        pseuds[(user.username, user.username)] = user.default_pseud
        for name, description in creator.pseuds:
            pseuds[(user.username, name)] = pseud_create(user=user, name=name, description=description)

    today = timezone.localdate()
    works = [_create_work(work, pseuds, today) for work in WORKS]
    kudos, comments = _reactions(works, users, warn)
    fandoms = {name for work in WORKS for name in work.fandoms}
    return DemoSummary(
        created=True,
        creators=len(users),
        works=len(works),
        chapters=sum(work.chapters for work in WORKS),
        fandoms=len(fandoms),
        kudos=kudos,
        comments=comments,
    )
