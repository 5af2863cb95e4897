"""Paragraphs, line breaks and section breaks in users' text, laid out as AO3 lays them out.

A blank line starts a paragraph and a single newline is a line break, in plain text and in text with
HTML alike; tags that cannot sit in a paragraph (rules, lists, headings, tables) are kept out of one, and
text inside tags that already shape it (paragraphs, lists, `pre`) is left as written. Two more rules serve
works in sections: a line holding only a divider mark (`* * *`, `~*~`, `-x-`, `o0o`) becomes a centred
section break, and a line holding only a section number (`i.`, `IV`, `2.`) becomes a paragraph of its own.

It works on HTML the sanitizer has already cleaned (well-formed, allowlisted), so the only markup it adds
is its own: paragraphs, line breaks, and `role`/`align` on section breaks.
"""

import re
from html import escape
from html.parser import HTMLParser

# Tags whose content is laid out already: no paragraphs or breaks are made inside them.
_SKIP = frozenset(
    "a abbr acronym address audio button dl embed figure h1 h2 h3 h4 h5 h6 hr iframe img input label ol map math "
    "noscript object p pre script select source style summary svg table textarea track video ul".split()
)
# Inline tags: they go inside paragraphs with the text around them.
_INLINE = frozenset(
    "a abbr acronym b bdi bdo big br button cite code data del dfn em i img input ins kbd label map mark q rb rp "
    "rt rtc ruby s samp select small span strike strong sub sup textarea time tt u var wbr".split()
)
# Tags that cannot be inside a paragraph: one found in a paragraph splits it.
_NOT_IN_PARAGRAPH = frozenset(
    "address audio blockquote center details div dl figure h1 h2 h3 h4 h5 h6 hr ol p pre source table track "
    "ul video".split()
)
# Newlines next to these tags are layout of the HTML source, not line breaks in the text.
_STRIP_WHITESPACE_AROUND = frozenset(
    "address audio blockquote br center details div dl fieldset figure figcaption form h1 h2 h3 h4 h5 h6 hr "
    "noscript ol p pre script source style summary table track ul video".split()
)
_VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())
_BLOCK = _NOT_IN_PARAGRAPH | frozenset("dl figcaption caption summary".split())

TEXT = "#text"
ROOT = "#root"
SPLIT = "#split"  # "end the paragraph here": a blank line, or two <br>s
LONG_SPLIT = "#long-split"  # three or more: end it and leave an empty paragraph for the space

# Whitespace as HTML source has it: never a no-break space or the ideographic space that opens
# paragraphs in Chinese and Japanese text.
_SPACE = " \t\n\r\f\v"
_NEWLINES = re.compile(r"([ \t\f\v]*\n[ \t\f\v\n]*)")

# A line of symbols, or one of the letter patterns writers use the same way (`-x-`, `o0o`, `xXx`).
_DIVIDER_SYMBOLS = "*~+=#•·°^§¤†‡❦❧✦✧★☆♦◆◇○●◦❖✿❀♥♡"
_DIVIDER_CHARS = frozenset(_DIVIDER_SYMBOLS + "-–—_xXoO0 \u00a0")
# Not "x" or "xxx" alone: that is a kiss under a letter.
_LETTER_DIVIDERS = frozenset(["xXx", "XxX", "o0o", "O0O", "oOo", "OoO", "0o0", "oxo", "OxO"])
_ROMAN = r"(?=[ivxlc])(?:c{0,3})(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})"
_SECTION_NUMBER = re.compile(rf"(?:{_ROMAN}|\d{{1,3}})[.):]?", re.IGNORECASE)


class Node:
    __slots__ = ("name", "attrs", "children", "parent", "text")

    def __init__(self, name: str, attrs: list[tuple[str, str]] | None = None, text: str = ""):
        self.name = name
        self.attrs = attrs or []
        self.children: list[Node] = []
        self.parent: Node | None = None
        self.text = text

    def append(self, child: "Node") -> None:
        child.detach()
        child.parent = self
        self.children.append(child)

    def detach(self) -> None:
        if self.parent is not None:
            self.parent.children.remove(self)
            self.parent = None

    def insert_before(self, child: "Node") -> None:
        child.detach()
        child.parent = self.parent
        self.parent.children.insert(self.parent.children.index(self), child)

    def insert_after(self, child: "Node") -> None:
        child.detach()
        child.parent = self.parent
        self.parent.children.insert(self.parent.children.index(self) + 1, child)

    def sibling(self, offset: int) -> "Node | None":
        siblings = self.parent.children
        index = siblings.index(self) + offset
        return siblings[index] if 0 <= index < len(siblings) else None

    def attr(self, name: str) -> str | None:
        return next((value for key, value in self.attrs if key == name), None)

    def set_attr(self, name: str, value: str) -> None:
        self.attrs = [(key, old) for key, old in self.attrs if key != name] + [(name, value)]


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node(ROOT)
        self.open = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, [(key, value or "") for key, value in attrs])
        self.open.append(node)
        if tag not in _VOID:
            self.open = node

    def handle_startendtag(self, tag, attrs):
        self.open.append(Node(tag, [(key, value or "") for key, value in attrs]))

    def handle_endtag(self, tag):
        node = self.open
        while node.name != ROOT and node.name != tag:
            node = node.parent
        if node.name == tag:
            self.open = node.parent

    def handle_data(self, data):
        self.open.append(Node(TEXT, text=data))


def parse(html: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def _walk(node: Node):
    """`node` and everything under it, except inside tags whose content is laid out already."""
    yield node
    if node.name in _SKIP:
        return
    for child in list(node.children):
        yield from _walk(child)


def _in_paragraph(node: Node) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.name == "p":
            return True
        parent = parent.parent
    return False


def _strip_source_whitespace(root: Node) -> None:
    for node in list(_walk(root)):
        if node.name != TEXT or node.parent is None:
            continue
        before, after = node.sibling(-1), node.sibling(1)
        if (before.name if before else node.parent.name) in _STRIP_WHITESPACE_AROUND:
            node.text = node.text.lstrip(_SPACE)
        if (after.name if after else node.parent.name) in _STRIP_WHITESPACE_AROUND:
            node.text = node.text.rstrip(_SPACE)
        if not node.text:
            node.detach()


def _split_text_at_newlines(root: Node) -> None:
    for node in list(_walk(root)):
        if node.name != TEXT:
            continue
        pieces = _NEWLINES.split(node.text)
        if len(pieces) == 1:
            continue
        for piece in pieces:
            if not piece:
                continue
            newlines = piece.count("\n")
            if newlines == 0:
                node.insert_before(Node(TEXT, text=piece))
            elif newlines == 1:
                node.insert_before(Node("br", text="\n"))  # text: a newline after it, for readable source
            else:
                node.insert_before(Node(SPLIT if newlines == 2 else LONG_SPLIT))
        node.detach()


def _merge_line_breaks(root: Node) -> None:
    """Two <br>s in a row end a paragraph, as a blank line does; three or more leave space too."""
    for node in list(_walk(root)):
        if node.parent is None or node.name != "br":
            continue
        after, before = node.sibling(1), node.sibling(-1)
        if (after and after.name == "br") or not (before and before.name == "br"):
            continue
        count = 1
        while (before := node.sibling(-1)) is not None and before.name == "br":
            before.detach()
            count += 1
        node.insert_before(Node(SPLIT if count == 2 else LONG_SPLIT))
        node.detach()


def _wrap(root: Node) -> None:
    """Put text and inline tags that are not in a paragraph into one."""
    if root.name in _SKIP or root.name == "p" or _in_paragraph(root):
        return
    run: list[Node] = []

    def close_run():
        if run:
            paragraph = Node("p")
            run[0].insert_before(paragraph)
            for node in run:
                paragraph.append(node)
            run.clear()

    for child in list(root.children):
        if child.name == TEXT or child.name in _INLINE:
            run.append(child)
        else:
            close_run()
            _wrap(child)
    close_run()


def _split_parent(node: Node) -> None:
    """Move `node` up one level, splitting its parent in two around it (attributes go to both halves)."""
    parent = node.parent
    if node.sibling(-1) is None:
        parent.insert_before(node)
        return
    if node.sibling(1) is None:
        parent.insert_after(node)
        return
    second = Node(parent.name, list(parent.attrs))
    parent.insert_after(second)
    for later in parent.children[parent.children.index(node) + 1 :]:
        second.append(later)
    parent.insert_after(node)


def _take_out_of_paragraph(node: Node) -> None:
    while _in_paragraph(node):
        _split_parent(node)


def _find(node: Node, names: frozenset[str]):
    for child in list(node.children):
        if child.name in names:
            yield child
        yield from _find(child, names)


def _unwrap(root: Node) -> None:
    for node in list(_find(root, _NOT_IN_PARAGRAPH)):
        _take_out_of_paragraph(node)
    for split in list(_find(root, frozenset([SPLIT, LONG_SPLIT]))):
        _take_out_of_paragraph(split)
        if split.name == LONG_SPLIT:
            spacer = Node("p")
            spacer.append(Node(TEXT, text="\u00a0"))
            split.insert_before(spacer)
        split.detach()


def _is_blank(node: Node) -> bool:
    """No text but whitespace, and nothing else to see (images, rules)."""
    return all(
        (child.name == TEXT and not child.text.strip(_SPACE)) or (child.name in _INLINE - _VOID and _is_blank(child))
        for child in node.children
    )


def _drop_empty_paragraphs(root: Node) -> None:
    for node in list(_find(root, frozenset(["p"]))):
        if _is_blank(node):
            node.detach()


def text_of(nodes: list[Node]) -> str | None:
    """The text of `nodes` if they hold only text and inline formatting (no images, no breaks)."""
    parts = []
    for node in nodes:
        if node.name == TEXT:
            parts.append(node.text)
        elif node.name in _INLINE and node.name not in ("br", "img", "wbr", "input", "ruby"):
            inner = text_of(node.children)
            if inner is None:
                return None
            parts.append(inner)
        else:
            return None
    return "".join(parts)


def is_divider(line: str) -> bool:
    """Whether `line` is only a divider mark: `* * *`, `***`, `~`, `~*~`, `-x-`, `o0o`, `+++`, `---`."""
    mark = line.strip(_SPACE + "\u00a0")
    if not mark or len(mark) > 40 or not set(mark) <= _DIVIDER_CHARS:
        return False
    if any(char in _DIVIDER_SYMBOLS for char in mark):
        return True
    compact = re.sub(r"[\s\u00a0]", "", mark)
    if compact in _LETTER_DIVIDERS:
        return True
    letters = re.sub(r"[-–—_]", "", compact)
    # Dashes or underscores alone (three or more), or around a letter mark: `---`, `-x-`, `_o_`.
    return (not letters and len(compact) >= 3) or (letters != compact and bool(letters) and len(letters) <= 3)


def is_section_number(line: str) -> bool:
    """Whether `line` only numbers a section: `i.`, `ii.`, `IV`, `2.`, `12)`."""
    number = line.strip(_SPACE + "\u00a0")
    # "I" alone is more often the word than the number, and "xxx" under a letter is kisses, not thirty.
    if number in ("I", "i") or set(number) == {"x"}:
        return False
    return bool(_SECTION_NUMBER.fullmatch(number))


def _lines(paragraph: Node) -> list[list[Node]]:
    lines: list[list[Node]] = [[]]
    for child in paragraph.children:
        if child.name == "br":
            lines.append([])
        else:
            lines[-1].append(child)
    return lines


def _stands_alone(line: list[Node]) -> bool:
    text = text_of(line)
    return text is not None and (is_divider(text) or is_section_number(text))


def _set_apart_marked_lines(root: Node) -> None:
    """A divider or section-number line in a paragraph becomes a paragraph of its own."""
    for paragraph in list(_find(root, frozenset(["p"]))):
        lines = _lines(paragraph)
        if len(lines) < 2 or not any(_stands_alone(line) for line in lines):
            continue
        groups: list[list[list[Node]]] = []
        for line in lines:
            if _stands_alone(line) or not groups or _stands_alone(groups[-1][-1]):
                groups.append([line])
            else:
                groups[-1].append(line)
        for group in groups:
            piece = Node("p", list(paragraph.attrs))
            for number, line in enumerate(group):
                if number:
                    piece.append(Node("br", text="\n"))
                for node in line:
                    piece.append(node)
            _trim(piece)
            paragraph.insert_before(piece)
        paragraph.detach()


def _trim(paragraph: Node) -> None:
    """Drop the source newlines a paragraph split off from its neighbours starts or ends with."""
    children = paragraph.children
    if children and children[0].name == TEXT:
        children[0].text = children[0].text.lstrip(_SPACE)
    if children and children[-1].name == TEXT:
        children[-1].text = children[-1].text.rstrip(_SPACE)
    for child in [child for child in children if child.name == TEXT and not child.text]:
        child.detach()


def _mark_section_breaks(root: Node) -> None:
    """A paragraph of only a divider mark is a section break: said so to screen readers, and centred
    unless the writer aligned it themselves."""
    for paragraph in _find(root, frozenset(["p"])):
        text = text_of(paragraph.children)
        if text is not None and is_divider(text):
            paragraph.attrs = [("role", "separator")] + [(k, v) for k, v in paragraph.attrs if k != "role"]
            if paragraph.attr("align") is None:
                paragraph.set_attr("align", "center")


def _escape_text(text: str) -> str:
    return escape(text, quote=False).replace("\u00a0", "&nbsp;")


def _escape_attribute(value: str) -> str:
    return value.replace("&", "&amp;").replace('"', "&quot;").replace("\u00a0", "&nbsp;")


def serialize(node: Node) -> str:
    if node.name == TEXT:
        return _escape_text(node.text)
    inner = _serialize_children(node)
    if node.name == ROOT:
        return inner
    attrs = "".join(f' {key}="{_escape_attribute(value)}"' for key, value in node.attrs)
    if node.name in _VOID:
        return f"<{node.name}{attrs}>" + node.text
    return f"<{node.name}{attrs}>{inner}</{node.name}>"


def _serialize_children(node: Node) -> str:
    out = []
    previous = None
    for child in node.children:
        # Blocks at the top level each start a line of the stored HTML, for anyone reading it.
        if node.name == ROOT and previous is not None and previous.name in _BLOCK and child.name in _BLOCK:
            out.append("\n")
        out.append(serialize(child))
        previous = child
    return "".join(out)


def lay_out(clean_html: str) -> str:
    """Paragraphs, line breaks and section breaks for HTML the sanitizer has cleaned."""
    root = parse(clean_html)
    _strip_source_whitespace(root)
    _split_text_at_newlines(root)
    _merge_line_breaks(root)
    _wrap(root)
    _unwrap(root)
    _drop_empty_paragraphs(root)
    _set_apart_marked_lines(root)
    _mark_section_breaks(root)
    return serialize(root).strip(_SPACE)
