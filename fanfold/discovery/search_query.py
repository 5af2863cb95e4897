"""The search box's query language: parsing what a reader types into a plain tree, and writing it back.

What a reader can type (AO3-like):

- ``angst fluff``: every word must match (words are ANDed).
- ``angst OR fluff``: either matches. Only uppercase ``OR`` is an operator; ``or`` is an ordinary word.
  ``AND`` (uppercase) may be written between terms and means the same as leaving it out.
- ``-angst`` or ``NOT angst``: leave out works that match. Only uppercase ``NOT`` is an operator.
- ``"slow burn"``: a phrase, the words next to each other in that order.
- ``(angst OR hurt) comfort``: parentheses group.
- ``title:``, ``creator:``, ``tag:``, ``summary:``, ``notes:`` limit the next word or quoted phrase to one
  field, as in ``tag:"Slow Burn"`` or ``creator:ink``. To search for a word with a colon in it, quote it.
- ``words>1000``, ``kudos>=10``, ``hits<50``, ``comments<=3``, ``words:1000-5000``, ``bookmarks:7``
  (exactly 7), ``words:1000-`` (at least) and ``words:-5000`` (at most) limit ``words``, ``kudos``, ``hits``,
  ``comments``, ``bookmarks`` and ``chapters``. They apply to the whole search, so they cannot be negated,
  combined with OR or put inside parentheses.
- ``sort:kudos`` (or updated, posted, title, creator, words, hits, comments, bookmarks), with an optional
  direction: ``sort:kudos-asc``, ``sort:kudos-desc``. At most one per search.

Precedence: ``-``/``NOT`` binds tightest, then ``OR``, then the implicit AND. So ``a b OR c`` means
``a AND (b OR c)``, and ``-a OR b`` means ``(NOT a) OR b``.

Words are Unicode. A word or phrase with no letters or digits in it (``!!!``, ``""``) is dropped, and so is
an operator left with nothing to act on because of it. Anything else that cannot be understood raises
`SearchSyntaxError` with a message meant for the reader; nothing else is ever raised for a string.
"""

import dataclasses
import re
import unicodedata
from collections.abc import Iterable, Mapping

MAX_LENGTH = 1000
MAX_NESTING = 20
MAX_NUMBER = 2**31 - 1

TEXT_FIELDS = ("title", "creator", "tag", "summary", "notes")
RANGE_FIELDS = ("words", "kudos", "hits", "comments", "bookmarks", "chapters")
# Where a term without a field is looked for by `matches`: the fielded ones plus the work's body.
SEARCHED_FIELDS = (*TEXT_FIELDS, "text")

# Short sort names a reader types, mapped to `fanfold.discovery.query.SORTS`. The first short name for each
# sort is the one `to_text` writes.
_SHORT_SORTS = {
    "updated": "revised_at",
    "posted": "published_on",
    "published": "published_on",
    "title": "title",
    "creator": "creator",
    "words": "word_count",
    "hits": "hit_count",
    "kudos": "kudos_count",
    "comments": "comment_count",
    "bookmarks": "bookmark_count",
}
SORT_NAMES = {**_SHORT_SORTS, **{name: name for name in _SHORT_SORTS.values()}}
_SORT_TEXT: dict[str, str] = {}
for _short, _sort in _SHORT_SORTS.items():
    _SORT_TEXT.setdefault(_sort, _short)
_SORT_LIST = ", ".join(dict.fromkeys(_SORT_TEXT.values()))
DIRECTIONS = ("asc", "desc")

_OPERATORS = ("OR", "AND", "NOT")
_RANGE_RE = re.compile(r"([A-Za-z]+)(>=|<=|>|<|:)(.*)", re.DOTALL)
_FIELD_RE = re.compile(r"([A-Za-z]+):(.*)", re.DOTALL)
_NUMBER_RE = re.compile(r"[0-9][0-9,_]*")
# Han, Hiragana and Katakana are written without spaces, so each character counts as a word of its own (as a
# search engine's standard tokenizer does); other scripts' words are runs of letters and digits.
CJK_CHARACTERS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f"
_WORD_RE = re.compile(rf"[{CJK_CHARACTERS}]|[^\W_{CJK_CHARACTERS}]+")


class SearchSyntaxError(ValueError):
    """A search that cannot be understood. `position` is the 0-based index in the text where it went wrong."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


@dataclasses.dataclass(frozen=True)
class Term:
    """A word (``phrase=False``) or quoted phrase, in one field or (``field=None``) in any of them."""

    text: str
    field: str | None = None
    phrase: bool = False


@dataclasses.dataclass(frozen=True)
class Not:
    child: "Expression"


@dataclasses.dataclass(frozen=True)
class And:
    children: tuple["Expression", ...]


@dataclasses.dataclass(frozen=True)
class Or:
    children: tuple["Expression", ...]


Expression = Term | Not | And | Or


@dataclasses.dataclass(frozen=True)
class Range:
    """A limit on a count. An inclusive flag is False when its bound is None."""

    field: str
    low: int | None = None
    high: int | None = None
    low_inclusive: bool = False
    high_inclusive: bool = False


@dataclasses.dataclass(frozen=True)
class ParsedSearch:
    """What a search asks for. `sort` is one of `SORTS`; `direction` is None when the reader gave none."""

    expression: Expression | None = None
    ranges: tuple[Range, ...] = ()
    sort: str | None = None
    direction: str | None = None


def parse_search(text: str) -> ParsedSearch:
    """Read a search typed into the search box; raises `SearchSyntaxError` if it cannot be understood."""
    if len(text) > MAX_LENGTH:
        raise SearchSyntaxError(
            f"A search can be at most {MAX_LENGTH:,} characters long; this one is {len(text):,}.", MAX_LENGTH
        )
    return _Parser(_tokens(text)).parse()


def to_text(parsed: ParsedSearch) -> str:
    """The canonical search text for what `parse_search` returned: it parses back to an equal result."""
    parts = []
    if parsed.expression is not None:
        parts.append(_expression_text(parsed.expression))
    parts += [text for text in map(_range_text, parsed.ranges) if text]
    if parsed.sort is not None:
        name = _SORT_TEXT.get(parsed.sort, parsed.sort)
        parts.append(f"sort:{name}-{parsed.direction}" if parsed.direction else f"sort:{name}")
    return " ".join(parts)


def matches(expression: Expression | None, fields: Mapping[str, str | Iterable[str]]) -> bool:
    """Whether a work with these field texts matches, by brute force; the reference for full-text search.

    Case-insensitive, on whole words: a term matches where its words occur next to each other, in that order,
    in one field's text (a field may hold several texts, such as one per tag; a phrase never spans two).
    An empty search (None) matches everything.
    """
    if expression is None:
        return True
    if isinstance(expression, Term):
        wanted = words(expression.text)
        names = (expression.field,) if expression.field else SEARCHED_FIELDS
        return any(_contains(words(text), wanted) for name in names for text in _texts(fields.get(name)))
    if isinstance(expression, Not):
        return not matches(expression.child, fields)
    if isinstance(expression, And):
        return all(matches(child, fields) for child in expression.children)
    if isinstance(expression, Or):
        return any(matches(child, fields) for child in expression.children)
    raise TypeError(f"not a search expression: {expression!r}")


# Evaluating -----------------------------------------------------------------------------------------------


def words(text: str) -> list[str]:
    """The search words of `text`: what a term must match and what full-text search stores."""
    return _WORD_RE.findall(unicodedata.normalize("NFKC", text).casefold())


def _texts(value: str | Iterable[str] | None) -> Iterable[str]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return value


def _contains(words: list[str], wanted: list[str]) -> bool:
    size = len(wanted)
    return any(words[start : start + size] == wanted for start in range(len(words) - size + 1))


# Writing --------------------------------------------------------------------------------------------------


def _expression_text(expression: Expression) -> str:
    if isinstance(expression, Term):
        body = f'"{expression.text}"' if expression.phrase else expression.text
        return f"{expression.field}:{body}" if expression.field else body
    if isinstance(expression, Not):
        inner = _expression_text(expression.child)
        return f"-{inner}" if isinstance(expression.child, Term | Not) else f"-({inner})"
    if isinstance(expression, And):
        return " ".join(
            f"({_expression_text(child)})" if isinstance(child, And) else _expression_text(child)
            for child in expression.children
        )
    if isinstance(expression, Or):
        return " OR ".join(
            f"({_expression_text(child)})" if isinstance(child, And | Or) else _expression_text(child)
            for child in expression.children
        )
    raise TypeError(f"not a search expression: {expression!r}")


def _range_text(limit: Range) -> str:
    field, low, high = limit.field, limit.low, limit.high
    if low is not None and high is not None:
        if limit.low_inclusive and limit.high_inclusive:
            return f"{field}:{low}" if low == high else f"{field}:{low}-{high}"
        low_op = ">=" if limit.low_inclusive else ">"
        high_op = "<=" if limit.high_inclusive else "<"
        return f"{field}{low_op}{low} {field}{high_op}{high}"
    if low is not None:
        return f"{field}>={low}" if limit.low_inclusive else f"{field}>{low}"
    if high is not None:
        return f"{field}<={high}" if limit.high_inclusive else f"{field}<{high}"
    return ""


# Reading: characters to tokens ----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Token:
    kind: str  # "(", ")", "-", "OR", "AND", "NOT", "term", "range" or "sort"
    position: int
    value: object = None
    source: str = ""


@dataclasses.dataclass(frozen=True)
class _Filter:
    """A range or sort on its way out of the expression tree, kept with where it was typed."""

    value: object
    position: int
    source: str


def _is_separator(character: str) -> bool:
    # Control characters (and lone surrogates) separate words, like spaces do.
    return character.isspace() or unicodedata.category(character) in ("Cc", "Cs")


def _clean(text: str) -> str:
    return " ".join("".join(" " if _is_separator(c) else c for c in text).split())


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    end = len(text)
    i = 0
    while i < end:
        character = text[i]
        if _is_separator(character):
            i += 1
        elif character in "()":
            tokens.append(_Token(character, i))
            i += 1
        elif character == '"':
            term, after = _phrase(text, i, None)
            tokens.append(_Token("term", i, term))
            i = after
        elif character == "-":
            following = text[i + 1] if i + 1 < end else ""
            if not following or _is_separator(following) or following == ")":
                raise SearchSyntaxError(f'The "-" at character {i + 1} needs a word right after it, like -angst.', i)
            tokens.append(_Token("-", i))
            i += 1
        else:
            start = i
            while i < end and not _is_separator(text[i]) and text[i] not in '()"':
                i += 1
            token, i = _word(text, start, i)
            tokens.append(token)
    return tokens


def _phrase(text: str, quote: int, field: str | None) -> tuple[Term | None, int]:
    close = text.find('"', quote + 1)
    if close == -1:
        raise SearchSyntaxError(f"The quote that opens at character {quote + 1} is never closed.", quote)
    content = _clean(text[quote + 1 : close])
    return (Term(content, field, phrase=True) if words(content) else None), close + 1


def _word(text: str, start: int, end: int) -> tuple[_Token, int]:
    chunk = text[start:end]
    if chunk in _OPERATORS:
        return _Token(chunk, start), end
    match = _RANGE_RE.fullmatch(chunk)
    if match and match[1].lower() in RANGE_FIELDS:
        limit = _range(match[1].lower(), match[2], match[3], chunk, start)
        return _Token("range", start, limit, chunk), end
    match = _FIELD_RE.fullmatch(chunk)
    if match is None:
        return _Token("term", start, Term(chunk) if words(chunk) else None), end
    name, rest = match[1].lower(), match[2]
    if name == "sort":
        return _Token("sort", start, _sort(rest, start), chunk), end
    if name not in TEXT_FIELDS:
        raise SearchSyntaxError(
            f'Unknown field "{match[1]}:". Fields you can use: {", ".join(TEXT_FIELDS)}. '
            f'To search for "{chunk}" itself, put it in quotes.',
            start,
        )
    if rest:
        return _Token("term", start, Term(rest, name) if words(rest) else None), end
    if end < len(text) and text[end] == '"':
        term, end = _phrase(text, end, name)
        return _Token("term", start, term), end
    raise SearchSyntaxError(
        f'"{name}:" needs a word or a quoted phrase right after it, like {name}:angst or {name}:"slow burn".',
        start,
    )


def _range(field: str, operator: str, value: str, chunk: str, position: int) -> Range:
    if operator != ":":
        number = _number(value, chunk, position)
        if number is None:
            raise SearchSyntaxError(
                f'"{field}{operator}" needs a number after it, like {field}{operator}1000.', position
            )
        if operator.startswith(">"):
            return Range(field, low=number, low_inclusive=operator == ">=")
        return Range(field, high=number, high_inclusive=operator == "<=")
    if "-" in value:
        low_text, high_text = value.split("-", 1)
        low, high = _number(low_text, chunk, position), _number(high_text, chunk, position)
        bad = (low_text and low is None) or (high_text and high is None) or (low is None and high is None)
    else:
        low = high = _number(value, chunk, position)
        bad = low is None
    if bad:
        raise SearchSyntaxError(
            f'"{field}:" needs a number after it, like {field}:1000, or a range, like {field}:1000-5000.', position
        )
    if low is not None and high is not None and low > high:
        raise SearchSyntaxError(
            f'"{chunk}" starts above where it ends; the smaller number goes first, like {field}:{high}-{low}.',
            position,
        )
    return Range(field, low, high, low_inclusive=low is not None, high_inclusive=high is not None)


def _number(text: str, chunk: str, position: int) -> int | None:
    if not _NUMBER_RE.fullmatch(text):
        return None
    digits = text.replace(",", "").replace("_", "")
    if len(digits) > 10 or int(digits) > MAX_NUMBER:
        raise SearchSyntaxError(f'The number in "{chunk}" is too large.', position)
    return int(digits)


def _sort(value: str, position: int) -> tuple[str, str | None]:
    value = value.lower()
    if not value:
        raise SearchSyntaxError(
            f'"sort:" needs a sort after it, like sort:kudos. Sorts you can use: {_SORT_LIST}.', position
        )
    name, direction = value, None
    if "-" in value:
        name, direction = value.rsplit("-", 1)
        if direction not in DIRECTIONS:
            raise SearchSyntaxError(
                f'"{direction}" is not a sort direction; use asc or desc, like sort:kudos-asc.', position
            )
    if name not in SORT_NAMES:
        raise SearchSyntaxError(f'Cannot sort by "{name}". Sorts you can use: {_SORT_LIST}.', position)
    return SORT_NAMES[name], direction


# Reading: tokens to a tree --------------------------------------------------------------------------------

_ENDS_OPERAND = (")", "OR", "AND")


class _Parser:
    def __init__(self, tokens: list[_Token]) -> None:
        self._tokens = tokens
        self._next = 0

    def parse(self) -> ParsedSearch:
        items = self._sequence(depth=0)
        token = self._peek()
        if token is not None:  # only a ")" stops the outermost sequence
            raise SearchSyntaxError(
                f'Unbalanced parentheses: the ")" at character {token.position + 1} has no "(" before it.',
                token.position,
            )
        ranges: list[Range] = []
        sorts: list[_Filter] = []
        for item in items:
            if isinstance(item, _Filter):
                if isinstance(item.value, Range):
                    ranges.append(item.value)
                else:
                    sorts.append(item)
        if len(sorts) > 1:
            raise SearchSyntaxError(
                f'Only one sort can be used at a time; "{sorts[1].source}" is a second one.', sorts[1].position
            )
        sort, direction = sorts[0].value if sorts else (None, None)
        expression = _and([item for item in items if not isinstance(item, _Filter)])
        return ParsedSearch(expression, tuple(ranges), sort, direction)

    def _peek(self) -> _Token | None:
        return self._tokens[self._next] if self._next < len(self._tokens) else None

    def _take(self) -> _Token:
        token = self._tokens[self._next]
        self._next += 1
        return token

    def _sequence(self, depth: int) -> list:
        items: list = []
        while (token := self._peek()) is not None and token.kind != ")":
            if token.kind in ("OR", "AND"):
                if token.kind == "OR" or not items:
                    raise SearchSyntaxError(f"There is nothing before {token.kind}.", token.position)
                self._take()
                self._operand_after(token)
            items.append(self._or_group(depth))
        return items

    def _operand_after(self, operator: _Token) -> None:
        token = self._peek()
        if token is None or token.kind in _ENDS_OPERAND:
            raise SearchSyntaxError(f"There is nothing after {operator.kind}.", operator.position)

    def _or_group(self, depth: int):
        parts = [self._unary(depth)]
        while (token := self._peek()) is not None and token.kind == "OR":
            self._take()
            self._operand_after(token)
            parts.append(self._unary(depth))
        if len(parts) > 1:
            for part in parts:
                if isinstance(part, _Filter):
                    raise SearchSyntaxError(
                        f'"{part.source}" applies to the whole search, so it cannot be combined with OR.',
                        part.position,
                    )
            return _or(parts)
        return parts[0]

    def _unary(self, depth: int):
        negations = 0
        while (token := self._peek()) is not None and token.kind in ("-", "NOT"):
            self._take()
            following = self._peek()
            if following is None or following.kind in _ENDS_OPERAND:
                if token.kind == "NOT":
                    message = f"NOT at character {token.position + 1} needs a word after it, like NOT angst."
                else:
                    message = f'The "-" at character {token.position + 1} needs a word right after it, like -angst.'
                raise SearchSyntaxError(message, token.position)
            negations += 1
        item = self._atom(depth)
        if negations and isinstance(item, _Filter):
            raise SearchSyntaxError(
                f'"{item.source}" applies to the whole search, so it cannot be negated; '
                "use the opposite comparison instead.",
                item.position,
            )
        if negations % 2 and item is not None:
            return _negate(item)
        return item

    def _atom(self, depth: int):
        token = self._take()
        if token.kind == "term":
            return token.value
        if token.kind in ("range", "sort"):
            return _Filter(token.value, token.position, token.source)
        if token.kind != "(":  # the callers only get here with an operand ahead
            raise SearchSyntaxError("This search could not be understood.", token.position)
        if depth >= MAX_NESTING:
            raise SearchSyntaxError(
                f"Parentheses can be nested at most {MAX_NESTING} deep; this search goes deeper.", token.position
            )
        items = self._sequence(depth + 1)
        close = self._peek()
        if close is None:
            raise SearchSyntaxError(
                f'Unbalanced parentheses: the "(" at character {token.position + 1} is never closed.', token.position
            )
        self._take()
        for item in items:
            if isinstance(item, _Filter):
                raise SearchSyntaxError(
                    f'"{item.source}" applies to the whole search, so it cannot go inside parentheses.',
                    item.position,
                )
        return _and(items)


def _negate(expression: Expression) -> Expression:
    return expression.child if isinstance(expression, Not) else Not(expression)


def _and(items: list) -> Expression | None:
    children: list = []
    for item in items:
        if isinstance(item, And):
            children += item.children
        elif item is not None:
            children.append(item)
    if not children:
        return None
    return children[0] if len(children) == 1 else And(tuple(children))


def _or(items: list) -> Expression | None:
    children: list = []
    for item in items:
        if isinstance(item, Or):
            children += item.children
        elif item is not None:
            children.append(item)
    if not children:
        return None
    return children[0] if len(children) == 1 else Or(tuple(children))
