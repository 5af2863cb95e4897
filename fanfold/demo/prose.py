"""Original filler prose for demo works, assembled from small word lists so every run reads the same."""

import random
from dataclasses import dataclass

from fanfold.core.html import FORMAT_HTML, FORMAT_MARKDOWN

SECTION_BREAK = "* * *"


@dataclass(frozen=True)
class Setting:
    places: tuple[str, ...]
    things: tuple[str, ...]
    weather: tuple[str, ...]
    sounds: tuple[str, ...]


SETTINGS = {
    "coast": Setting(
        places=("lamp room", "harbour wall", "boathouse", "shingle beach", "keeper's cottage", "tide pools"),
        things=("brass lantern", "logbook", "coil of rope", "chipped teacup", "tide table", "oilskin coat"),
        weather=("sea fog", "squall", "grey drizzle", "long calm", "east wind"),
        sounds=("the gulls", "the bell buoy", "the kettle", "the shingle shifting", "the foghorn"),
    ),
    "london": Setting(
        places=("sitting room", "cab rank", "river stairs", "reading room", "pawnbroker's", "back lane"),
        things=("pocket watch", "telegram", "magnifying glass", "folded newspaper", "walking stick", "key"),
        weather=("yellow fog", "thin rain", "cold snap", "soot-dark dusk", "drizzle"),
        sounds=("the cab wheels", "the violin", "the landlady on the stairs", "the clock", "the street cries"),
    ),
    "regency": Setting(
        places=("drawing room", "shrubbery", "lane to the village", "library", "assembly rooms", "orchard"),
        things=("letter", "bonnet", "volume of sermons", "sewing basket", "pianoforte", "dance card"),
        weather=("April showers", "bright frost", "summer haze", "mud of November", "soft evening"),
        sounds=("the pianoforte", "the carriage on the gravel", "the rooks", "a door closing upstairs"),
    ),
    "myth": Setting(
        places=("river ford", "hollow hill", "reed bed", "old oak", "mountain pass", "hearth"),
        things=("silver comb", "loaf of bread", "bone flute", "red thread", "ferry coin", "spindle"),
        weather=("first snow", "midsummer heat", "mist off the water", "storm out of the north"),
        sounds=("the river", "a far-off horn", "the wind in the reeds", "an owl", "the spindle turning"),
    ),
    "space": Setting(
        places=("bridge", "cargo bay", "observation blister", "galley", "airlock", "engine deck"),
        things=("star chart", "ration tin", "cracked datapad", "pressure suit", "spare fuse", "photograph"),
        weather=("solar wind", "ion storm", "long dark", "dust drift", "slow tumble of the station"),
        sounds=("the recyclers", "the hull ticking", "the comm static", "the engines", "the proximity alarm"),
    ),
    "garden": Setting(
        places=("potting shed", "kitchen garden", "greenhouse", "allotment gate", "compost heap"),
        things=("trowel", "seed packet", "watering can", "ball of twine", "wheelbarrow", "notebook"),
        weather=("warm rain", "late frost", "long afternoon", "heavy dew", "blustery spring"),
        sounds=("the blackbirds", "the hose", "the bees", "a radio next door", "the wind chimes"),
    ),
}

TIMES = ("dawn", "the small hours", "midday", "late afternoon", "supper", "the turn of the tide", "nightfall")
FEELINGS = ("patience", "unease", "relief", "stubbornness", "curiosity", "gladness", "regret", "hope")

LINES = (
    "You came back.",
    "I said I would, didn't I?",
    "We should have left an hour ago.",
    "Tell me what you saw, and leave nothing out.",
    "It isn't the kind of thing one forgets.",
    "Then we had better start at the beginning.",
    "I don't think the map is wrong. I think we are.",
    "Put the kettle on. This will take a while.",
    "Nobody asked me, which is why I'm telling you.",
    "If it's a trick, it's a very patient one.",
    "Some things are easier to carry between two.",
    "I kept it. I don't know why I kept it.",
    "Say that again, slowly.",
    "We could always simply ask.",
    "Not yet. Soon, but not yet.",
)

SENTENCES = (
    "{A} stood at the edge of the {place} and listened to {sound}.",
    "The {weather} had not let up since {time}, and {A} had stopped pretending to mind.",
    '"{said}" {A} said, not quite looking at {B}.',
    "{B} turned the {thing} over twice, as if it might explain itself.",
    "There was a {thing} on the sill that nobody remembered leaving there.",
    "It was {feeling}, {A} decided, or something near enough to it to answer to the name.",
    '"{line}"',
    "{B} laughed, and the sound was smaller than the room.",
    "By {time} the {place} smelled of {weather} and cold tea.",
    "Neither of them mentioned the {thing}. Both of them thought about it.",
    "{A} wrote it down, because writing it down made it a fact instead of a feeling.",
    "Somewhere beyond the {place}, {sound} kept its own slow count.",
    '"{said}" {B} answered. "{line2}"',
    "{A} had meant to say something else entirely.",
    "The {thing} was exactly where {B} had left it, which was the strangest part.",
    "They waited out the {weather} in the {place}, shoulder to shoulder and saying nothing.",
    "{B} had a way of holding a silence until it gave something up.",
    "Later, {A} would remember the {thing} and not the words.",
    "It was not the first time {sound} had woken {A} before {time}.",
    "{A} set the {thing} down with great care, as though it were listening.",
)

_JA_PLACES = ("駅のホーム", "古い図書館", "川沿いの道", "学校の屋上", "小さな喫茶店", "商店街")
_JA_THINGS = ("手紙", "青い傘", "古い鍵", "地図", "写真", "切符")
_JA_WEATHER = ("細い雨", "冷たい風", "夕立", "春の霧", "初雪")
_JA_TIMES = ("朝", "昼過ぎ", "夕方", "昨日の夜", "終電の前")
_JA_LINES = (
    "もう少しだけ待って。",
    "ここで会えると思っていた。",
    "また明日。",
    "この鍵、どこの鍵だと思う？",
    "忘れていないよ。",
)
_JA_SENTENCES = (
    "{A}は{place}で立ち止まった。",
    "{weather}が{time}からずっと続いていた。",
    "「{line}」と{A}は言った。",
    "{B}は{thing}をそっとポケットにしまった。",
    "{place}には誰もいなかった。",
    "{A}と{B}は、しばらく何も言わずに{weather}を見ていた。",
    "{thing}のことを、{B}はまだ覚えていた。",
    "{time}の{place}は、いつもより静かだった。",
)


def _sentence_case(text: str) -> str:
    # Casts like "the keeper" can open a sentence; the quote mark before a line of dialogue cannot.
    for index, char in enumerate(text):
        if char.isalpha():
            return text[:index] + char.upper() + text[index + 1 :]
    return text


def _fill(rng: random.Random, template: str, cast: tuple[str, str], setting: Setting) -> str:
    a, b = cast if rng.random() < 0.6 else (cast[1], cast[0])
    line, line2 = rng.sample(LINES, 2)
    return _sentence_case(
        template.format(
            A=a,
            B=b,
            place=rng.choice(setting.places),
            thing=rng.choice(setting.things),
            weather=rng.choice(setting.weather),
            sound=rng.choice(setting.sounds),
            time=rng.choice(TIMES),
            feeling=rng.choice(FEELINGS),
            line=line,
            # A line followed by "she said" ends in a comma, not a full stop.
            said=line[:-1] + "," if line.endswith(".") else line,
            line2=line2,
        )
    )


def _fill_ja(rng: random.Random, template: str, cast: tuple[str, str]) -> str:
    a, b = cast if rng.random() < 0.6 else (cast[1], cast[0])
    return template.format(
        A=a,
        B=b,
        place=rng.choice(_JA_PLACES),
        thing=rng.choice(_JA_THINGS),
        weather=rng.choice(_JA_WEATHER),
        time=rng.choice(_JA_TIMES),
        line=rng.choice(_JA_LINES),
    )


def paragraph(rng: random.Random, cast: tuple[str, str], setting: str, language: str = "en") -> str:
    if language == "ja":
        return "".join(_fill_ja(rng, t, cast) for t in rng.sample(_JA_SENTENCES, rng.randint(3, 5)))
    place = SETTINGS[setting]
    return " ".join(_fill(rng, t, cast, place) for t in rng.sample(SENTENCES, rng.randint(3, 5)))


def chapter_text(
    rng: random.Random,
    *,
    cast: tuple[str, str],
    setting: str,
    text_format: str,
    sections: int = 1,
    language: str = "en",
) -> str:
    """A chapter of several paragraphs, in `sections` parts divided by a centred "* * *"."""
    parts = []
    for _ in range(sections):
        paragraphs = [paragraph(rng, cast, setting, language) for _ in range(rng.randint(4, 7))]
        parts.append(paragraphs)
    if text_format == FORMAT_MARKDOWN:
        # Markdown turns a line of spaced asterisks into a rule, and *x* into emphasis.
        first = parts[0]
        first[0] = first[0].replace(cast[1], f"*{cast[1]}*", 1)
        return f"\n\n{SECTION_BREAK}\n\n".join("\n\n".join(p) for p in parts)
    if text_format == FORMAT_HTML:
        html_parts = ["\n".join(f"<p>{p}</p>" for p in paragraphs) for paragraphs in parts]
        return '\n<p class="section-break">* * *</p>\n'.join(html_parts)
    raise ValueError(f"unknown text format {text_format!r}")


def letter(rng: random.Random, *, sender: str, recipient: str, setting: str) -> str:
    """An HTML letter inside a blockquote, for epistolary works."""
    body = "".join(f"<p>{paragraph(rng, (sender, recipient), setting)}</p>" for _ in range(rng.randint(3, 4)))
    return f"<blockquote><p><em>My dear {recipient},</em></p>{body}<p>Yours, as ever,<br>{sender}</p></blockquote>"


# A one-shot in six sections, headed i. to v. and then i. again, typed as writers type into the rich text
# box: paragraphs by blank lines, a few tags, and a different divider after each section. The demo archive
# shows it, and the browser tests post it through the real form.
_SIX_LAMPS = (
    (
        "i.",
        "The first lamp was Maren's, and she lit it <em>badly</em>: too much wick, too little patience, "
        "a smear of soot up the glass that Tobias pretended not to see.",
        '"It will burn," she said.\n"It will smoke," he said, and it did, and it burned anyway.',
    ),
    (
        "ii.",
        "The second lamp hung in the boathouse, where nobody needed it. They lit it every night because "
        "the logbook said to, and <strong>the logbook was never wrong</strong> about anything that mattered.",
        "Some nights the fog came in so thick the light only reached the door.",
    ),
    (
        "iii.",
        "The third was a torch, and it does not count, Tobias said.",
        "<p>Maren counted it. She counted everything that winter: the oil, the matches, the days to the "
        "supply boat, the words he did not say.</p>",
    ),
    (
        "iv.",
        "The fourth lamp went out.",
        "They found it at dawn, cold in the lamp room, and neither of them said the word <em>storm</em> "
        "until the kettle had boiled twice.",
    ),
    (
        "v.",
        "The fifth lamp was the one the ships saw. It is the one the almanac lists, with its height and its "
        "range and its character: <q>one white flash every ten seconds</q>.",
        "The almanac does not say who trims it.",
    ),
    (
        "i.",
        "Begin again, then. A new keeper, an old lamp, a chipped teacup on the sill.",
        "The first lamp is Tobias's this time, and he lights it well, and Maren says nothing at all about the soot.",
    ),
)
# One of each kind writers use, in the order the browser tests expect them.
SIX_LAMPS_BREAKS = ("* * *", "<hr>", "~*~", "-x-", "o0o", "+++")
SIX_LAMPS_TITLE = "Six Lamps"


def six_lamps() -> str:
    """The six sections of "Six Lamps", each followed by a divider, as rich text (HTML)."""
    parts = []
    for (number, *paragraphs), divider in zip(_SIX_LAMPS, SIX_LAMPS_BREAKS, strict=True):
        parts.append("\n\n".join([number, *paragraphs, divider]))
    return "\n\n".join(parts)


def more_lamps() -> str:
    """A second chapter with the other dividers: "***", "~", and centred in the writer's own markup."""
    return (
        "Afterwards, the lamps kept their own count.\n\n***\n\n"
        "Maren wrote the first winter down, and then stopped, because it was finished.\n\n~\n\n"
        "Tobias wrote the second one down, and then kept going.\n\n"
        '<p align="center">* * *</p>\n\n'
        "Neither of them wrote about the fourth lamp. Some things are easier to carry between two, and "
        "easier still when nobody has to read them back.\n\n"
        "<center>~*~</center>\n\n"
        "The almanac, as ever, says nothing. It lists the light, its height and its range, and leaves the "
        "keepers out, which is how the keepers like it."
    )
