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

MAX_DEPTH = 48
# A paragraph end inside more inline tags than this (`<em><b><i>…`) is a line break, not a new paragraph:
# each new paragraph repeats every tag it is inside.
MAX_INLINE_DEPTH = 8
# ...and beyond this many such copies in one text, too: a chapter in one <em> has a few thousand.
MAX_COPIES = 30_000
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
        child.parent = self
        self.children.append(child)

    def set_children(self, children: list["Node"]) -> None:
        # Passes rebuild a parent's list of children in one go: moving nodes one at a time would take
        # time in the square of a long chapter's paragraphs.
        for child in children:
            child.parent = self
        self.children = children

    def attr(self, name: str) -> str | None:
        return next((value for key, value in self.attrs if key == name), None)

    def set_attr(self, name: str, value: str) -> None:
        self.attrs = [(key, old) for key, old in self.attrs if key != name] + [(name, value)]


class _TreeBuilder(HTMLParser):
    """Builds the tree of the sanitizer's well-formed output. Tags nested deeper than MAX_DEPTH are left out
    (their text stays): no writing needs them, and every pass here recurses through the tree."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node(ROOT)
        self.open = self.root
        self.kept: list[bool] = []  # for each open tag, whether it is in the tree

    def handle_starttag(self, tag, attrs):
        if tag in _VOID:
            self.handle_startendtag(tag, attrs)
            return
        keep = len(self.kept) < MAX_DEPTH
        self.kept.append(keep)
        if keep:
            node = Node(tag, [(key, value or "") for key, value in attrs])
            self.open.append(node)
            self.open = node

    def handle_startendtag(self, tag, attrs):
        self.open.append(Node(tag, [(key, value or "") for key, value in attrs]))

    def handle_endtag(self, tag):
        if tag in _VOID or not self.kept:
            return
        if self.kept.pop():
            self.open = self.open.parent

    def handle_data(self, data):
        self.open.append(Node(TEXT, text=data))


def parse(html: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def _laid_out(node: Node):
    """`node` and the elements under it whose children are laid out: not inside tags that shape their own
    text (paragraphs, lists, `pre`), nor those tags themselves."""
    if node.name == TEXT or node.name in _SKIP:
        return
    yield node
    for child in node.children:
        yield from _laid_out(child)


def _in_paragraph(node: Node) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.name == "p":
            return True
        parent = parent.parent
    return False


def _strip_source_whitespace(root: Node) -> None:
    for parent in list(_laid_out(root)):
        children = parent.children
        kept: list[Node] = []
        for index, node in enumerate(children):
            if node.name == TEXT:
                before = kept[-1].name if kept else parent.name
                after = children[index + 1].name if index + 1 < len(children) else parent.name
                if before in _STRIP_WHITESPACE_AROUND:
                    node.text = node.text.lstrip(_SPACE)
                if after in _STRIP_WHITESPACE_AROUND:
                    node.text = node.text.rstrip(_SPACE)
                if not node.text:
                    continue
            kept.append(node)
        parent.set_children(kept)


def _split_text_at_newlines(root: Node) -> None:
    for parent in list(_laid_out(root)):
        pieces: list[Node] = []
        for node in parent.children:
            parts = _NEWLINES.split(node.text) if node.name == TEXT else [node]
            if len(parts) == 1:
                pieces.append(node)
                continue
            for part in parts:
                if not part:
                    continue
                newlines = part.count("\n")
                if newlines == 0:
                    pieces.append(Node(TEXT, text=part))
                elif newlines == 1:
                    pieces.append(Node("br", text="\n"))  # text: a newline after it, for readable source
                else:
                    pieces.append(Node(SPLIT if newlines == 2 else LONG_SPLIT))
        parent.set_children(pieces)


def _merge_line_breaks(root: Node) -> None:
    """Two <br>s in a row end a paragraph, as a blank line does; three or more leave space too."""
    for parent in list(_laid_out(root)):
        merged: list[Node] = []
        run: list[Node] = []
        for node in [*parent.children, None]:
            if node is not None and node.name == "br":
                run.append(node)
                continue
            if len(run) == 1:
                merged.extend(run)
            elif run:
                merged.append(Node(SPLIT if len(run) == 2 else LONG_SPLIT))
            run = []
            if node is not None:
                merged.append(node)
        parent.set_children(merged)


def _wrap(root: Node) -> None:
    """Put text and inline tags that are not in a paragraph into one."""
    if root.name in _SKIP or root.name == "p" or _in_paragraph(root):
        return
    children: list[Node] = []
    run: list[Node] = []
    for child in [*root.children, None]:
        if child is not None and (child.name == TEXT or child.name in _INLINE):
            run.append(child)
            continue
        if run:
            paragraph = Node("p")
            paragraph.set_children(run)
            children.append(paragraph)
            run = []
        if child is not None:
            children.append(child)
            _wrap(child)
    root.set_children(children)


def _find(node: Node, names: frozenset[str]) -> list[Node]:
    """The elements under `node` named one of `names`, in document order."""
    found = []
    stack = list(reversed(node.children))
    while stack:
        child = stack.pop()
        if child.name in names:
            found.append(child)
        if child.children:
            stack.extend(reversed(child.children))
    return found


_CUT = _NOT_IN_PARAGRAPH | {SPLIT, LONG_SPLIT}


def _path_to_paragraph(node: Node) -> list[Node] | None:
    """The elements from `node`'s parent up to the outermost paragraph it is in, if it is in one and no
    other cut stands between them (it moves out with that one) and the path is not too deep to copy."""
    path, host = [], None
    parent = node.parent
    while parent is not None:
        if parent.name == "p":
            host = parent
        path.append(parent)
        parent = parent.parent
    if host is None:
        return None
    path = path[: path.index(host) + 1]
    if len(path) > MAX_INLINE_DEPTH or any(step.name in _CUT and step is not host for step in path):
        return None
    return path


def _partition(node: Node, through: set[int], cuts: set[int]) -> list[Node]:
    """Copies of `node` (with its attributes) holding its content between the cuts, and the cuts between
    them: `<p><em>a<hr>b</em></p>` cut at the <hr> is `<p><em>a</em></p>`, `<hr>`, `<p><em>b</em></p>`."""
    items: list[Node] = []
    content: list[Node] = []

    def close() -> None:
        if content:
            copy = Node(node.name, list(node.attrs))
            copy.set_children(list(content))
            items.append(copy)
            content.clear()

    for child in node.children:
        for item in _partition(child, through, cuts) if id(child) in through else [child]:
            if id(item) in cuts:
                close()
                items.append(item)
            else:
                content.append(item)
    close()
    return items


def _unwrap(root: Node) -> None:
    """Take blocks and paragraph ends out of the paragraphs they are in, splitting those around them."""
    copies = MAX_COPIES
    while True:
        through: set[int] = set()
        cuts: set[int] = set()
        hosts: dict[int, Node] = {}
        for node in _find(root, _CUT):
            path = _path_to_paragraph(node)
            if path is None or (len(path) > 1 and copies < len(path)):
                continue
            if len(path) > 1:  # the paragraph and the inline tags around the cut are copied
                copies -= len(path)
            through.update(id(step) for step in path)
            cuts.add(id(node))
            hosts[id(path[-1])] = path[-1]
        if not hosts:
            break
        parents = {id(host.parent): host.parent for host in hosts.values()}
        for parent in parents.values():
            parent.set_children(
                [
                    item
                    for child in parent.children
                    for item in (_partition(child, through, cuts) if id(child) in hosts else [child])
                ]
            )
        _wrap(root)  # a block taken out of an inline tag has text of its own to put in paragraphs
    splits = list(_find(root, frozenset([SPLIT, LONG_SPLIT])))
    for parent in {id(split.parent): split.parent for split in splits}.values():
        in_paragraph = parent.name == "p" or _in_paragraph(parent)
        children: list[Node] = []
        for node in parent.children:
            if node.name not in (SPLIT, LONG_SPLIT):
                children.append(node)
            elif in_paragraph:  # too deep to split: a blank line, at least
                children += [Node("br"), Node("br", text="\n")]
            elif node.name == LONG_SPLIT:
                spacer = Node("p")
                spacer.set_children([Node(TEXT, text="\u00a0")])
                children.append(spacer)
        parent.set_children(children)


def _is_blank(node: Node) -> bool:
    """No text but whitespace, and nothing else to see (images, rules)."""
    return all(
        (child.name == TEXT and not child.text.strip(_SPACE)) or (child.name in _INLINE - _VOID and _is_blank(child))
        for child in node.children
    )


def _drop_empty_paragraphs(root: Node) -> None:
    blank = [node for node in _find(root, frozenset(["p"])) if _is_blank(node)]
    for parent in {id(node.parent): node.parent for node in blank}.values():
        parent.set_children([node for node in parent.children if not (node.name == "p" and _is_blank(node))])


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
    if len(line) > 80:
        return False
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
    if len(line) > 20:
        return False
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
    split_up: dict[int, list[Node]] = {}
    parents: dict[int, Node] = {}
    for paragraph in _find(root, frozenset(["p"])):
        lines = _lines(paragraph)
        if len(lines) < 2:
            continue
        alone = [_stands_alone(line) for line in lines]
        if not any(alone):
            continue
        groups: list[list[list[Node]]] = []
        for index, line in enumerate(lines):
            if alone[index] or not groups or alone[index - 1]:
                groups.append([line])
            else:
                groups[-1].append(line)
        pieces = []
        for group in groups:
            nodes: list[Node] = []
            for number, line in enumerate(group):
                if number:
                    nodes.append(Node("br", text="\n"))
                nodes.extend(line)
            piece = Node("p", list(paragraph.attrs))
            piece.set_children(nodes)
            _trim(piece)
            if not _is_blank(piece):
                pieces.append(piece)
        split_up[id(paragraph)] = pieces
        parents[id(paragraph.parent)] = paragraph.parent
    for parent in parents.values():
        parent.set_children([piece for child in parent.children for piece in split_up.get(id(child), [child])])


def _trim(paragraph: Node) -> None:
    """Drop the source newlines a paragraph split off from its neighbours starts or ends with."""
    children = paragraph.children
    if children and children[0].name == TEXT:
        children[0].text = children[0].text.lstrip(_SPACE)
    if children and children[-1].name == TEXT:
        children[-1].text = children[-1].text.rstrip(_SPACE)
    paragraph.set_children([child for child in children if child.name != TEXT or child.text])


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
    if node.name == "pre" and inner.startswith("\n"):
        inner = "\n" + inner  # a parser drops the first newline of a <pre>
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
