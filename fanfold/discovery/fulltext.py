"""Full-text search of works: each work's words kept in the database, matched by SQLite FTS5 or PostgreSQL.

What is stored is already tokenized by the search box's own rules (`search_query.words`): Unicode NFKC,
casefolded, runs of letters and digits, Chinese and Japanese characters one word each, joined by single
spaces. Both engines only split that text on spaces, so a term matches the same works on either, and the
same works as the brute-force `search_query.matches`.

A work is stored as one row per text: its title, each creator's name, each tag (its own and the tags it is
filtered under), its summary, its notes, and its posted chapters' text in chunks of `CHUNK_WORDS` words that
overlap by `MAX_PHRASE_WORDS`, so no phrase of at most that many words is lost at a chunk's edge and no row
outgrows what PostgreSQL positions (16,383 words) or a tsvector (1 MB) can hold. A chunk also ends before a
word's 256th occurrence in it: PostgreSQL keeps only a word's first 255 positions in a text, and a phrase at
a later one would go unfound (`chunk_bounds`).

A phrase made only of very common words ("of the", "at the end of") would make either engine read the
positions of words that occur everywhere. So each text whose words include two `COMMON_WORDS` side by side
(`pairable`) also has a pair text: one token per such pair (`of0the`), in order, with `0` wherever a run of
such pairs breaks. A phrase of common words is then the phrase of its pairs in the pair texts, which only ever
holds pairs, so it matches exactly where the words do. Pair texts live in their own id ranges (`PAIR_FIELD`).
Pairing a common word with any neighbour too made PostgreSQL's phrases of one common word faster, but it
made the search table nearly twice as large and the other searches slower in the benchmark (BENCHMARKS.md).

PostgreSQL checks a phrase's positions in the `tsvector` of every text that holds all its words, about 12 µs
each, and a phrase with a common word ("the lighthouse") has as many such texts as its other word. So on
PostgreSQL each word text's pairs of neighbours (leaving out pairs of two common words, which pair texts
find) are hashed into `PAIR_BUCKETS` buckets by the SQL function `fanfold_pair_buckets`, and an index on it
(`pair_buckets_sql`), together with the full-text index on the phrase's uncommon words, finds the few texts
that may hold the phrase; only those are checked. Nothing more is stored. SQLite's FTS5 reads positions from
its own index and needs none of this.

A single common word is not looked up in either engine at all: `CommonWordWorks` keeps, per word and field,
a bitmap of the works that hold it, a few dozen rows where a full-text index has hundreds of thousands.
"""

import contextlib
import heapq
import re
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import NamedTuple

import numpy as np
from django.db import connection, models, transaction
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from fanfold.core.html import html_to_text
from fanfold.discovery.index import TextLimit
from fanfold.discovery.models import CommonWordWorks, FrequentWord, SearchText
from fanfold.discovery.search_query import CJK_CHARACTERS, And, Expression, Not, Or, SearchSyntaxError, Term, words
from fanfold.tags.models import Tag
from fanfold.tags.services import filter_tag_ids
from fanfold.works.models import Chapter, Creatorship, Work

FIELDS = ("title", "creator", "tag", "summary", "notes", "text")
FIELD_NUMBERS = {field: number for number, field in enumerate(FIELDS)}
# Texts kept per field of a work (tags, chapters, chunks of long chapters): past this, the rest is not searched.
MAX_TEXTS = 2**16
_WORK_MASK = 2**40 - 1
CHUNK_WORDS = 2_000
MAX_PHRASE_WORDS = 64
# PostgreSQL keeps the first 255 positions of a word in a text and drops the rest (a phrase there would be
# missed), so no text holds a word more often.
MAX_REPEATS = 255
# Best match: each search term a work matches adds the weight of the best field it matched in.
FIELD_WEIGHTS = {"title": 8.0, "tag": 4.0, "creator": 4.0, "summary": 3.0, "notes": 1.0, "text": 2.0}
SNIPPET_WORDS = 12
# The most frequent words of English fiction. Changing this list needs `manage.py rebuild_search_text`.
COMMON_WORDS = frozenset(
    """
    a about after again against all also always am an and another any are around as at away back be because
    been before behind being between both but by came can come could did do does down each even ever every eyes
    face felt few first for from get go going good got had hand has have he head her here herself him himself
    his how i if in into is it its just know last left like little long look looked made make man me might more
    most much must my never new next night no not nothing now of off on once one only or other our out over own
    right room said same saw say see she should so some something still such than that the their them then
    there these they thing think this those thought through time to too took turned two under until up us very
    voice want was way we well went were what when where which while who why will with without would yes yet
    you your
    """.split()
)
PAIR_FIELD = {field: f"{field}~" for field in FIELDS}
_PAIR_OFFSET = 8  # a pair text's field number is its field's plus this
_PAIR_BREAK = "0"
_STORED_FIELD_NUMBERS = {
    **FIELD_NUMBERS,
    **{PAIR_FIELD[field]: number + _PAIR_OFFSET for field, number in FIELD_NUMBERS.items()},
}
# Buckets of word pairs on PostgreSQL: more make a phrase's candidate texts fewer and the index larger.
PAIR_BUCKETS = 2**18
PAIR_BUCKET_INDEX = "discovery_searchtext_pairs"
# Each distinct word or phrase is one database query.
MAX_TERMS = 30
_SQL_CHUNK = 500


def work_search_texts(work_ids: Iterable[int]) -> dict[int, dict[str, list[str]]]:
    """The plain texts of each work's searchable fields, as a reader would see them, in a few queries.

    Only posted chapters are read: a draft chapter's words must never find a work.
    """
    ids = sorted(set(work_ids))
    texts: dict[int, dict[str, list[str]]] = {}
    own_tags: dict[int, list[int]] = {}
    for chunk in _chunks(ids):
        for work_id, title, summary, notes, end_notes in Work.objects.filter(id__in=chunk).values_list(
            "id", "title", "summary", "notes", "end_notes"
        ):
            texts[work_id] = {
                "title": [title],
                "creator": [],
                "tag": [],
                "summary": [html_to_text(summary)],
                "notes": [html_to_text(notes), html_to_text(end_notes)],
                "text": [],
            }
            own_tags[work_id] = []
        credits = Creatorship.objects.filter(work_id__in=chunk).order_by("work_id", "position", "id")
        for work_id, name, username in credits.values_list("work_id", "pseud__name", "pseud__user__username"):
            texts[work_id]["creator"] += [name] if name == username else [name, username]
        for work_id, tag_id in Work.tags.through.objects.filter(work_id__in=chunk).values_list("work_id", "tag_id"):
            own_tags[work_id].append(tag_id)
        chapters = Chapter.objects.filter(work_id__in=chunk, posted=True).order_by("work_id", "position", "id")
        for work_id, title, summary, notes, end_notes, content in chapters.values_list(
            "work_id", "title", "summary", "notes", "end_notes", "content"
        ):
            fields = texts[work_id]
            fields["summary"].append(html_to_text(summary))
            fields["notes"] += [html_to_text(notes), html_to_text(end_notes)]
            fields["text"] += [title, html_to_text(content)]
    # A work is found under the tags it is filtered as too: a synonym's canonical tag, its meta tags.
    filter_tags = filter_tag_ids(tag for tags in own_tags.values() for tag in tags)
    wanted = {tag for tags in own_tags.values() for tag in tags} | {t for ts in filter_tags.values() for t in ts}
    names = {}
    for chunk in _chunks(sorted(wanted)):
        names.update(Tag.objects.filter(id__in=chunk).values_list("id", "name"))
    for work_id, tags in own_tags.items():
        found = set(tags).union(*(filter_tags.get(tag, ()) for tag in tags))
        texts[work_id]["tag"] = sorted(names[tag] for tag in found if tag in names)
    return texts


def text_id(field: str, work_id: int, number: int, *, pairs: bool = False) -> int:
    """A stored text's id: its field, its work and its number within them, so a match's id says whose text
    it is (no join), and a search in one field is a range of ids. `pairs`: the id of that text's pair text."""
    return (FIELD_NUMBERS[field] + (_PAIR_OFFSET if pairs else 0)) << 56 | work_id << 16 | number


def pair_token(first: str, second: str) -> str:
    return f"{first}0{second}"


def pairable(first: str, second: str) -> bool:
    """Whether two words side by side get a pair token: both are common words."""
    return first in COMMON_WORDS and second in COMMON_WORDS


def common_pairs(chunk: list[str]) -> str:
    """The pair text of a text's words: a token for each pairable pair of words side by side, in order, with
    `0` where a run of them breaks. A phrase of common words is then the same phrase of pair tokens here,
    which no common word's long list of positions slows."""
    tokens: list[str] = []
    for first, second in zip(chunk, chunk[1:], strict=False):
        if pairable(first, second):
            tokens.append(pair_token(first, second))
        elif tokens and tokens[-1] != _PAIR_BREAK:
            tokens.append(_PAIR_BREAK)
    if tokens and tokens[-1] == _PAIR_BREAK:
        tokens.pop()
    return " ".join(tokens)


def pair_buckets_sql() -> list[str]:
    """PostgreSQL statements that (re)make `fanfold_pair_buckets(words)`, the buckets of a text's pairs of
    neighbouring words but those of two `COMMON_WORDS`, and the index on it. Its cost is set high so the
    planner reads it from the index instead of computing it for every row. `rebuild_search_text` runs them
    again before writing every text anew, for a change of `COMMON_WORDS`."""
    common = "'{" + ",".join(sorted(COMMON_WORDS)) + "}'::text[]"  # letters only
    function = (
        "CREATE OR REPLACE FUNCTION fanfold_pair_buckets(words text) RETURNS integer[] "  # noqa: S608 (constants)
        "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE COST 100000 AS $$ "
        f"SELECT coalesce(array_agg(DISTINCT hashtext(pair.first || ' ' || pair.second) & {PAIR_BUCKETS - 1}), "
        "'{}') FROM (SELECT string_to_array(words, ' ') AS w) AS text, "
        "unnest(text.w[1:cardinality(text.w) - 1], text.w[2:]) AS pair(first, second) "
        f"WHERE NOT (pair.first = ANY({common}) AND pair.second = ANY({common})) $$"
    )
    return [
        function,
        f"CREATE INDEX IF NOT EXISTS {PAIR_BUCKET_INDEX} ON discovery_searchtext "
        "USING gin (fanfold_pair_buckets(words))",
    ]


def chunk_bounds(piece: list[str]) -> Iterator[tuple[int, int]]:
    """Where each chunk of a text's words starts and ends: at most `CHUNK_WORDS` words, the next starting
    `MAX_PHRASE_WORDS` before the end of the last, and cut short before any word's `MAX_REPEATS + 1`th
    occurrence in it."""
    start = 0
    while True:
        end = min(len(piece), start + CHUNK_WORDS)
        if repeats_too_often(piece[start:end]):
            end = _before_repeat(piece, start, end)
        yield start, end
        if end >= len(piece):
            return
        start = end - MAX_PHRASE_WORDS


def repeats_too_often(chunk: list[str]) -> bool:
    """Whether some word occurs more than `MAX_REPEATS` times in these words."""
    return len(chunk) > MAX_REPEATS and max(Counter(chunk).values()) > MAX_REPEATS


def _before_repeat(piece: list[str], start: int, end: int) -> int:
    """Where, between `start` and `end`, some word occurs for the `MAX_REPEATS + 1`th time."""
    seen: Counter[str] = Counter()
    for at in range(start, end):
        seen[piece[at]] += 1
        if seen[piece[at]] > MAX_REPEATS:
            return at
    return end


def _rows_of(work_id: int, fields: dict[str, list[str]], only: Iterable[str]) -> list[SearchText]:
    rows = []
    for field in only:
        number = 0
        # Each text on its own (each tag, each chapter): a phrase never runs from one into the next.
        for piece in (words(text) for text in fields[field]):
            for start, end in chunk_bounds(piece):
                chunk = piece[start:end]
                if chunk and number < MAX_TEXTS:
                    identity = text_id(field, work_id, number)
                    rows.append(SearchText(id=identity, work_id=work_id, field=field, words=" ".join(chunk)))
                    if pairs := common_pairs(chunk):
                        identity = text_id(field, work_id, number, pairs=True)
                        rows.append(SearchText(id=identity, work_id=work_id, field=PAIR_FIELD[field], words=pairs))
                    number += 1
    return rows


def store_search_texts(work_ids: Iterable[int], fields: Iterable[str] = FIELDS) -> None:
    """Rewrite what search knows of these works' `fields` (all of them by default); deleted works' rows go."""
    ids = sorted(set(work_ids))
    fields = tuple(fields)
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ValueError(f"unknown search fields {sorted(unknown)}")
    for chunk in _chunks(ids):
        with transaction.atomic():
            lock_blocks(work_id // BLOCK_WORKS for work_id in chunk)
            tracked = tracked_words()
            stored_fields = [*fields, *(PAIR_FIELD[field] for field in fields)]
            before = SearchText.objects.filter(work_id__in=chunk, field__in=stored_fields)
            previous = {
                word
                for word, _number, _block in common_word_presence(
                    before.values_list("work_id", "field", "words"), tracked
                )
            }
            before.delete()
            texts = work_search_texts(chunk)
            rows = [row for work_id, found in texts.items() for row in _rows_of(work_id, found, fields)]
            SearchText.objects.bulk_create(rows, batch_size=1_000)
            store_common_words(chunk, fields, common_word_presence(rows, tracked), previous)


# Common and frequent words ------------------------------------------------------------------------------

BLOCK_WORKS = 4_096
_BLOCK_BYTES = BLOCK_WORKS // 8
_LOCK_SPACE = 0x46464357  # PostgreSQL advisory locks of word-bitmap blocks: (this, block)
_SQL_WORDS = 500  # words per IN (...) list
FREQUENT_WORD_LENGTH = FrequentWord._meta.get_field("word").max_length

Presence = dict[tuple[str, int, int], set[int]]


def tracked_words() -> frozenset[str]:
    """The words kept as bitmaps: `COMMON_WORDS` and every `FrequentWord`, ready or still being built.

    Read it after `lock_blocks`: a word that `refresh_frequent_words` adds is then either seen here or
    built by it after this transaction's changes."""
    return COMMON_WORDS | frozenset(FrequentWord.objects.values_list("word", flat=True))


def lock_blocks(blocks: Iterable[int]) -> None:
    """Writers of the same bitmap blocks take turns (read, change, write), always in block order, so two
    never wait for each other in a circle. SQLite needs nothing: its writers take turns already."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for block in sorted(set(blocks)):
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_SPACE, block])


def common_word_presence(rows: Iterable, tracked: frozenset[str] = COMMON_WORDS) -> Presence:
    """(word, field number, block) -> the offsets in that block of the works whose texts hold a tracked word
    (a pair token, in pair texts: their field numbers are `_PAIR_OFFSET` on). `rows`: SearchText rows, or
    (work_id, field, words) tuples."""
    present: Presence = defaultdict(set)
    for row in rows:
        work_id, field, text = (row.work_id, row.field, row.words) if isinstance(row, SearchText) else row
        number = _STORED_FIELD_NUMBERS[field]
        block, offset = divmod(work_id, BLOCK_WORKS)
        for word in tracked.intersection(text.split()):
            present[word, number, block].add(offset)
    return present


def store_common_words(
    work_ids: Iterable[int], fields: Iterable[str], present: Presence, previous: Iterable[str] = ()
) -> None:
    """Set, for these works and fields (word and pair texts), exactly the bits of `present`, and clear the
    others of the words in `present` or `previous` (the tracked words their texts held before; other bits of
    theirs are clear)."""
    numbers = sorted({FIELD_NUMBERS[field] + offset for field in fields for offset in (0, _PAIR_OFFSET)})
    offsets: dict[int, list[int]] = defaultdict(list)
    for work_id in work_ids:
        block, offset = divmod(work_id, BLOCK_WORKS)
        offsets[block].append(offset)
    blocks = sorted(offsets)
    words = sorted({word for word, _number, _block in present} | set(previous))
    if not blocks or not numbers or not words:
        return
    with transaction.atomic():
        lock_blocks(blocks)
        stored = {}
        for start in range(0, len(words), _SQL_WORDS):
            found = CommonWordWorks.objects.filter(
                word__in=words[start : start + _SQL_WORDS], field__in=numbers, block__in=blocks
            )
            stored.update({(row.word, row.field, row.block): row for row in found})
        created, replaced = [], []
        for key in sorted(stored.keys() | present.keys()):
            word, number, block = key
            row = stored.get(key)
            old = bytes(row.bits) if row is not None else bytes(_BLOCK_BYTES)
            bits = np.unpackbits(np.frombuffer(old, dtype=np.uint8), bitorder="little")
            bits[offsets[block]] = 0
            bits[sorted(present.get(key, ()))] = 1
            new = np.packbits(bits, bitorder="little").tobytes()
            if new == old:
                continue
            if row is not None:
                replaced.append(row.pk)
            if bits.any():
                created.append(CommonWordWorks(word=word, field=number, block=block, bits=new))
        # Replacing rows is quicker than updating them one by one; nothing keeps their ids.
        for start in range(0, len(replaced), _SQL_CHUNK):
            CommonWordWorks.objects.filter(pk__in=replaced[start : start + _SQL_CHUNK]).delete()
        CommonWordWorks.objects.bulk_create(created, batch_size=1_000)


def _uses_bitmaps(word: str) -> bool:
    return word in COMMON_WORDS or word in _ready_frequent_words()


_READY_WORDS_SECONDS = 60.0
_ready_words: tuple[float, frozenset[str]] = (-_READY_WORDS_SECONDS, frozenset())


def _ready_frequent_words() -> frozenset[str]:
    """The frequent words whose bitmaps are complete, read at most once a minute per process. A word stays
    ready once it is, and one this process has not seen become ready yet is searched through the full-text
    index, with the same result."""
    global _ready_words
    read_at, ready = _ready_words
    now = time.monotonic()
    if now - read_at >= _READY_WORDS_SECONDS:
        ready = frozenset(FrequentWord.objects.filter(ready=True).values_list("word", flat=True))
        _ready_words = (now, ready)
    return ready


def forget_ready_words() -> None:
    global _ready_words
    _ready_words = (-_READY_WORDS_SECONDS, frozenset())


def default_min_texts(works: int) -> int:
    """How many texts must hold a word before it is worth bitmaps: about where reading its bitmaps (a row
    per 4,096 works and field) is clearly cheaper than reading a row per text."""
    return max(5_000, works // 20)


def frequent_word_counts(min_texts: int) -> dict[str, int]:
    """Words (and pair tokens: a phrase of two common words) that at least `min_texts` texts hold, with how
    many; not the common words, which always have bitmaps."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT word, ndoc FROM ts_stat('SELECT tsv FROM discovery_searchtext') WHERE ndoc >= %s",
                [min_texts],
            )
        else:
            cursor.execute(
                "CREATE VIRTUAL TABLE IF NOT EXISTS temp.discovery_vocabulary "
                "USING fts5vocab(main, discovery_searchtext_fts, row)"
            )
            cursor.execute("SELECT term, doc FROM temp.discovery_vocabulary WHERE doc >= %s", [min_texts])
        found = cursor.fetchall()
    return {
        word: count
        for word, count in found
        if word not in COMMON_WORDS and word != _PAIR_BREAK and len(word) <= FREQUENT_WORD_LENGTH
    }


def refresh_frequent_words(min_texts: int, progress=None) -> list[str]:
    """Keep as bitmaps every word that at least `min_texts` texts hold: record the new ones, build their
    bitmaps block by block from the stored texts (writers keep them current meanwhile), then let searches
    use them. Returns the words added. Safe while the archive runs; an interrupted run is finished by the next.
    """
    counts = frequent_word_counts(min_texts)
    known = set(FrequentWord.objects.values_list("word", flat=True))
    added = sorted(set(counts) - known)
    FrequentWord.objects.bulk_create(
        [FrequentWord(word=word, texts=counts[word]) for word in added], batch_size=1_000, ignore_conflicts=True
    )
    pending = frozenset(FrequentWord.objects.filter(ready=False).values_list("word", flat=True))
    if pending:
        last = SearchText.objects.aggregate(last=models.Max("work_id"))["last"] or 0
        for block in range(last // BLOCK_WORKS + 1):
            first = block * BLOCK_WORKS
            with transaction.atomic():
                lock_blocks([block])
                rows = SearchText.objects.filter(work_id__gte=first, work_id__lt=first + BLOCK_WORKS).values_list(
                    "work_id", "field", "words"
                )
                present = common_word_presence(rows.iterator(chunk_size=500), pending)
                store_common_words(range(first, first + BLOCK_WORKS), FIELDS, present, previous=pending)
            if progress is not None:
                progress(block + 1, last // BLOCK_WORKS + 1)
        FrequentWord.objects.filter(word__in=pending).update(ready=True)
        forget_ready_words()
    return added


class Hits(NamedTuple):
    """The works a term matched (ascending, each once), the weight of the best field each matched in, and
    those that matched in their chapters' text (where a snippet can show the match)."""

    works: np.ndarray
    weights: np.ndarray
    in_text: np.ndarray


_NO_HITS = Hits(np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0, dtype=np.int64))


def _common_word_hits(word: str, field: str | None, *, pairs: bool = False) -> Hits:
    """A tracked word's works from its bitmaps: in word texts, or (`pairs`) a pair token in pair texts."""
    rows = CommonWordWorks.objects.filter(word=word)
    offset = _PAIR_OFFSET if pairs else 0
    if field:
        rows = rows.filter(field=FIELD_NUMBERS[field] + offset)
    else:
        rows = rows.filter(field__gte=offset, field__lt=offset + len(FIELDS))
    # Per block, each work's best field weight, straight from the bits.
    best: dict[int, np.ndarray] = {}
    text: dict[int, np.ndarray] = {}
    for number, block, bits in rows.values_list("field", "block", "bits"):
        present = np.unpackbits(np.frombuffer(bytes(bits), dtype=np.uint8), bitorder="little").astype(bool)
        weights = best.setdefault(block, np.zeros(BLOCK_WORKS))
        np.maximum(weights, present * _WEIGHTS[number - offset], out=weights)
        if number - offset == FIELD_NUMBERS["text"]:
            text[block] = present
    if not best:
        return _NO_HITS
    blocks = sorted(best)
    found = [np.flatnonzero(best[block]) for block in blocks]
    works = np.concatenate([offsets + block * BLOCK_WORKS for block, offsets in zip(blocks, found, strict=True)])
    weights = np.concatenate([best[block][offsets] for block, offsets in zip(blocks, found, strict=True)])
    in_text = [np.flatnonzero(text[block]) + block * BLOCK_WORKS for block in sorted(text)]
    return Hits(works, weights, np.concatenate(in_text) if in_text else _NO_HITS.in_text)


# Matching ----------------------------------------------------------------------------------------------


def term_words(term: Term) -> list[str]:
    found = words(term.text)
    if len(found) > MAX_PHRASE_WORDS:
        raise SearchSyntaxError(
            f"A quoted phrase can be at most {MAX_PHRASE_WORDS} words long; “{term.text[:40]}…” has {len(found)}.",
            0,
        )
    return found


_POSTGRESQL_TERM = (
    "SELECT string_agg(int8send(id), ''::bytea) FROM discovery_searchtext WHERE tsv @@ phraseto_tsquery('simple', %s)"
)
# A phrase not only of common words: the texts holding every bucket of its pairs and (through the full-text
# index, where that narrows them) all of its uncommon words; then positions in those only. A frequent pair in
# the same bucket brings its own texts, which rarely hold the phrase's words. Neither index condition needs
# checking again per text, so the buckets are not computed again; `ts_match_vq` is `@@` that no index answers.
_POSTGRESQL_PHRASE = (
    "SELECT string_agg(int8send(id), ''::bytea) FROM discovery_searchtext "
    "WHERE fanfold_pair_buckets(words) @> fanfold_pair_buckets(%s) AND tsv @@ plainto_tsquery('simple', %s) "
    "AND ts_match_vq(tsv, phraseto_tsquery('simple', %s))"
)


def postgresql_phrase_sql(found: list[str]) -> tuple[str, list[str]]:
    """The query of the texts (any field's) holding a phrase of these words, through the pair buckets."""
    phrase = " ".join(found)
    return _POSTGRESQL_PHRASE, [phrase, " ".join(word for word in found if word not in COMMON_WORDS), phrase]


_SQLITE_TERM = "SELECT rowid FROM discovery_searchtext_fts WHERE discovery_searchtext_fts MATCH %s"
_WEIGHTS = np.asarray([FIELD_WEIGHTS[field] for field in FIELDS])
# Each field number's place in FIELD_WEIGHTS from the heaviest (0) down, and the weight at each place.
_RANKED_WEIGHTS = np.sort(_WEIGHTS)[::-1].copy()
_WEIGHT_RANKS = np.asarray([int(np.flatnonzero(_RANKED_WEIGHTS == weight)[0]) for weight in _WEIGHTS])


def term_hits(term: Term) -> Hits:
    """Works whose field texts contain the term's words in order."""
    found = term_words(term)
    if not found:
        return _NO_HITS
    if len(found) == 1 and _uses_bitmaps(found[0]):
        return _common_word_hits(found[0], term.field)
    pairs = len(found) > 1 and all(pairable(first, second) for first, second in zip(found, found[1:], strict=False))
    if pairs:
        found = [pair_token(first, second) for first, second in zip(found, found[1:], strict=False)]
        if len(found) == 1 and _uses_bitmaps(found[0]):
            return _common_word_hits(found[0], term.field, pairs=True)
    phrase = " ".join(found)
    # Word texts or pair texts, of one field or of all: a range of ids.
    first_field, last_field = (term.field, term.field) if term.field else (FIELDS[0], FIELDS[-1])
    bounds = [text_id(first_field, 0, 0, pairs=pairs), text_id(last_field, _WORK_MASK, MAX_TEXTS - 1, pairs=pairs)]
    through_buckets = connection.vendor == "postgresql" and len(found) > 1 and not pairs
    if through_buckets:
        # Only word texts have buckets. The range is checked on the ids that come back: in SQL, PostgreSQL
        # would read the primary key's millions of ids in the range to combine them with the few candidates.
        sql, params = postgresql_phrase_sql(found)
    elif connection.vendor == "postgresql":
        sql, params = _POSTGRESQL_TERM + " AND id BETWEEN %s AND %s", [phrase, *bounds]
    else:
        sql, params = _SQLITE_TERM + " AND rowid BETWEEN %s AND %s", [f'"{phrase}"', *bounds]
    # PostgreSQL's SET LOCAL needs a transaction; SQLite's would take the write lock (IMMEDIATE) for a read.
    scope = transaction.atomic() if connection.vendor == "postgresql" else contextlib.nullcontext()
    with scope, connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A frequent word's bitmap of matching texts goes lossy at the default work_mem, and every text
            # on a lossy page is then checked again; compiling the query (JIT) costs more than it saves.
            cursor.execute("SET LOCAL work_mem = '64MB'; SET LOCAL jit = off")
            if through_buckets:
                # Its few candidates are checked sooner by one process than handed out to several.
                cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
            cursor.execute(sql, params)
            packed = cursor.fetchone()[0]
            ids = np.frombuffer(bytes(packed), dtype=">i8").astype(np.int64) if packed else np.zeros(0, np.int64)
        else:
            # One string of ids instead of a row each: moving the rows into Python was most of the cost.
            cursor.execute(f"SELECT group_concat(rowid) FROM ({sql})", params)  # noqa: S608 (constant SQL)
            joined = cursor.fetchone()[0]
            ids = np.fromstring(joined, dtype=np.int64, sep=",") if joined else np.zeros(0, np.int64)
    if through_buckets:
        ids = ids[(ids >= bounds[0]) & (ids <= bounds[1])]
    return _hits((ids >> 16) & _WORK_MASK, (ids >> 56) % _PAIR_OFFSET)


def _hits(works: np.ndarray, numbers: np.ndarray) -> Hits:
    """From a match per (work, field number) to `Hits`."""
    in_text = np.unique(works[numbers == FIELD_NUMBERS["text"]])
    # Per work, its best field's weight: sort by work, best field first (one key), and keep each work's first.
    keys = np.sort(works << 3 | _WEIGHT_RANKS[numbers])
    works = keys >> 3
    first = np.concatenate(([True], works[1:] != works[:-1])) if len(works) else np.zeros(0, dtype=bool)
    return Hits(works[first], _RANKED_WEIGHTS[keys[first] & 7], in_text)


def text_match(expression: Expression) -> TextLimit:
    """Evaluate a parsed search with one database query per distinct term, and set operations on arrays."""
    cache: dict[Term, Hits] = {}
    scored: list[Hits] = []
    distinct = {(term.text, term.field) for term in _terms(expression)}
    if len(distinct) > MAX_TERMS:
        raise SearchSyntaxError(
            f"A search can use at most {MAX_TERMS} different words and phrases; this one has {len(distinct)}.", 0
        )

    def evaluate(node: Expression, positive: bool) -> tuple[np.ndarray, bool]:
        if isinstance(node, Term):
            if node not in cache:
                cache[node] = term_hits(node)
            hits = cache[node]
            if positive:
                scored.append(hits)
            return hits.works, False
        if isinstance(node, Not):
            ids, negated = evaluate(node.child, not positive)
            return ids, not negated
        parts = [evaluate(child, positive) for child in node.children]
        plain = [ids for ids, negated in parts if not negated]
        complements = [ids for ids, negated in parts if negated]
        if isinstance(node, And):
            if plain:
                return _difference(_intersection(plain), _union(complements)), False
            return _union(complements), True  # not a and not b = not (a or b)
        if isinstance(node, Or):
            if complements:
                return _difference(_intersection(complements), _union(plain)), True  # a or not b = not (b - a)
            return _union(plain), False
        raise TypeError(f"not a search expression: {node!r}")

    ids, negated = evaluate(expression, True)
    if len(scored) == 1:  # one term: its works are sorted and distinct already
        score_ids, scores = scored[0].works, scored[0].weights.astype(np.float64)
    elif scored:
        score_works = np.concatenate([hits.works for hits in scored])
        score_ids, where = np.unique(score_works, return_inverse=True)
        scores = np.bincount(where, weights=np.concatenate([hits.weights for hits in scored]))
    else:
        score_ids, scores = np.zeros(0, dtype=np.int64), np.zeros(0)
    in_text = _union([hits.in_text for hits in scored])
    return TextLimit(work_ids=ids, negated=negated, score_ids=score_ids, scores=scores, in_text=in_text)


def _intersection(sets: list[np.ndarray]) -> np.ndarray:
    found = sets[0]
    for other in sorted(sets[1:], key=len):
        found = np.intersect1d(found, other, assume_unique=True)
    return found


def _union(sets: list[np.ndarray]) -> np.ndarray:
    """The union of sorted arrays of distinct ids."""
    if not sets:
        return np.zeros(0, dtype=np.int64)
    if len(sets) == 1:
        return sets[0]
    return np.unique(np.concatenate(sets))


def _difference(found: np.ndarray, taken: np.ndarray) -> np.ndarray:
    return np.setdiff1d(found, taken, assume_unique=True) if len(taken) else found


def _terms(node: Expression):
    if isinstance(node, Term):
        yield node
    elif isinstance(node, Not):
        yield from _terms(node.child)
    else:
        for child in node.children:
            yield from _terms(child)


def positive_terms(expression: Expression | None) -> list[Term]:
    """The terms a work is found *for* (not under an odd number of NOTs): what snippets highlight."""
    found: list[Term] = []

    def walk(node, positive: bool) -> None:
        if isinstance(node, Term):
            if positive:
                found.append(node)
        elif isinstance(node, Not):
            walk(node.child, not positive)
        elif isinstance(node, And | Or):
            for child in node.children:
                walk(child, positive)

    if expression is not None:
        walk(expression, True)
    return found


# Snippets ----------------------------------------------------------------------------------------------

_TOKEN_RE = re.compile(r"\S+")


def search_snippets(
    work_ids: list[int], expression: Expression | None, in_text: np.ndarray | None = None
) -> dict[int, SafeString]:
    """For each work whose posted chapters contain a searched word or phrase, the words around its first
    occurrence with the match marked; works found only by title, tags and the like get none.

    `in_text` (from `text_match`): the works that matched in their text; only their chapters are read."""
    terms = [term for term in positive_terms(expression) if term.field in (None, "text")]
    wanted = [found for term in terms if (found := words(term.text))]
    if in_text is not None:
        keep = np.isin(np.asarray(work_ids, dtype=np.int64), in_text)
        work_ids = [work_id for work_id, kept in zip(work_ids, keep.tolist(), strict=True) if kept]
    if not wanted or not work_ids:
        return {}
    snippets: dict[int, SafeString] = {}
    chapters = Chapter.objects.filter(work_id__in=work_ids, posted=True).order_by("work_id", "position", "id")
    for work_id, content in chapters.values_list("work_id", "content").iterator(chunk_size=50):
        if work_id not in snippets:
            snippet = _snippet(html_to_text(content), wanted)
            if snippet is not None:
                snippets[work_id] = snippet
    return snippets


_WINDOW = 400  # characters either side of a likely match that are tokenized first


def _snippet(text: str, wanted: list[list[str]]) -> SafeString | None:
    # Tokenizing a whole long chapter is the slow part: first look for the searched phrases as plain text,
    # and try the text around each of the first few places they may occur. Casefolding can change
    # a text's length (ß to ss), so that shortcut is only taken where it does not.
    folded = unicodedata.normalize("NFKC", text).casefold()
    if len(folded) == len(text):
        # Every place any phrase starts (overlapping ones too), in order, standing on word boundaries.
        places = heapq.merge(
            *(
                ((found.start(), found.start() + len(found.group(1))) for found in pattern.finditer(folded))
                for pattern in _phrases_as_text(tuple(map(tuple, wanted)))
            )
        )
        whole = (start for start, end in places if _whole(folded, start, end))
        for tried, at in enumerate(whole):
            if tried == _WINDOWS_TRIED:
                break
            low, high = max(0, at - _WINDOW), at + _WINDOW
            # Widen to whole pieces between spaces, so no word is cut in two.
            while low > 0 and not text[low - 1].isspace():
                low -= 1
            while high < len(text) and not text[high].isspace():
                high += 1
            found = _snippet_in(text[low:high], wanted, cut_before=low > 0, cut_after=high < len(text))
            if found is not None:
                return found
        else:
            return None  # every place a phrase may occur was tried
    elif not any(phrase[0] in folded for phrase in wanted):
        return None
    return _snippet_in(text, wanted)


_WINDOWS_TRIED = 8
_CJK_RE = re.compile(f"[{CJK_CHARACTERS}]")


@lru_cache(maxsize=4_096)
def _phrases_as_text(wanted: tuple[tuple[str, ...], ...]) -> tuple[re.Pattern, ...]:
    """For each searched phrase, where it may start in casefolded text (a lookahead, so overlapping places are
    all found), its words with anything but letters and digits between them in group 1. Whether a place
    stands on word boundaries is `_whole`'s question: in the pattern, that test's large character classes made
    compiling it cost more than the search."""
    return tuple(re.compile("(?=(" + r"[\W_]*".join(map(re.escape, phrase)) + "))") for phrase in wanted)


def _whole(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] does not run on into a word on either side (a Chinese or Japanese character
    is a word wherever it stands). (Where a match is still not the phrase, such as "the end" in "theend",
    the window tells.)"""

    def runs_on(inner: str, outer: str) -> bool:
        return _in_word(inner) and _in_word(outer)

    return not (start > 0 and runs_on(text[start], text[start - 1])) and not (
        end < len(text) and runs_on(text[end - 1], text[end])
    )


def _in_word(character: str) -> bool:
    return character.isalnum() and not _CJK_RE.match(character)


def _snippet_in(
    text: str, wanted: list[list[str]], *, cut_before: bool = False, cut_after: bool = False
) -> SafeString | None:
    """The snippet of the first match in `text`; None if there is none, or if `text` was cut from a longer
    text (`cut_before`, `cut_after`) too close to the match to show its words around it."""
    stream = words(text)
    place = length = None
    for phrase in wanted:
        found = _find(stream, phrase, len(stream) if place is None else place)
        if found is not None:
            place, length = found, len(phrase)
    if place is None:
        return None
    # Back from search words to the text between spaces that holds them (one piece may hold several words,
    # as in "don't" or Japanese text); only the pieces up to the match are looked at.
    pieces: list[str] = []
    first = None
    seen = 0
    for match in _TOKEN_RE.finditer(text):
        pieces.append(match.group())
        seen += len(words(match.group()))
        if first is None and seen > place:
            first = len(pieces) - 1
        if first is not None and seen >= place + length:
            break
    following = []
    for later in _TOKEN_RE.finditer(text, match.end()):
        following.append(later.group())
        if len(following) > SNIPPET_WORDS:
            break
    if (cut_before and first < SNIPPET_WORDS) or (cut_after and len(following) <= SNIPPET_WORDS):
        return None
    window = [*pieces[max(0, first - SNIPPET_WORDS) :], *following[:SNIPPET_WORDS]]
    searched = {word for phrase in wanted for word in phrase}
    shown = [
        f"<mark>{escape(piece)}</mark>" if searched.intersection(words(piece)) else str(escape(piece))
        for piece in window
    ]
    lead = "… " if first > SNIPPET_WORDS else ""
    tail = " …" if len(following) > SNIPPET_WORDS else ""
    return mark_safe(lead + " ".join(shown) + tail)  # noqa: S308 (every piece is escaped)


def _find(stream: list[str], phrase: list[str], before: int) -> int | None:
    """Where `phrase` first starts in `stream`, if it does before `before`."""
    start = 0
    while True:
        try:
            start = stream.index(phrase[0], start, before)
        except ValueError:
            return None
        if stream[start : start + len(phrase)] == phrase:
            return start
        start += 1


def _chunks(ids: list[int]):
    for start in range(0, len(ids), _SQL_CHUNK):
        yield ids[start : start + _SQL_CHUNK]
