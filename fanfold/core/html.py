"""The one HTML allowlist for every user HTML field, and the text formats writers may type in."""

import re
from html import escape

import nh3
from markdown_it import MarkdownIt

from fanfold.core.paragraphs import lay_out

ALLOWED_TAGS = {
    "a", "abbr", "acronym", "address", "b", "big", "blockquote", "br", "caption", "center", "cite",
    "code", "col", "colgroup", "dd", "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption",
    "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol",
    "p", "pre", "q", "rb", "rp", "rt", "rtc", "ruby", "s", "samp", "small", "span", "strike", "strong",
    "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "tt", "u", "ul", "var",
}  # fmt: skip

_COMMON_ATTRIBUTES = {"class", "title", "dir", "lang"}
# Writers centre section dividers and right-align letters' signatures with `align`, as AO3 allows.
_ALIGNED_BLOCKS = ("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "caption")
ALLOWED_ATTRIBUTES = {
    "*": _COMMON_ATTRIBUTES,
    **{tag: {"align"} for tag in _ALIGNED_BLOCKS},
    "a": {"href", "name"},
    "img": {"src", "alt", "width", "height"},
    "ol": {"start", "type", "reversed"},
    "ul": {"type"},
    "li": {"value"},
    "td": {"colspan", "rowspan", "align", "valign"},
    "th": {"colspan", "rowspan", "align", "valign", "scope"},
    "col": {"span"},
    "colgroup": {"span"},
    "details": {"open"},
    "q": {"cite"},
    "blockquote": {"align", "cite"},
    "abbr": set(),
}
URL_SCHEMES = {"http", "https", "mailto"}
_IMAGE_SCHEMES = ("http://", "https://")
# Every HTML attribute that holds a URL, allowed today or not: one added to the allowlist later is
# checked without anyone having to remember this set.
URL_ATTRIBUTES = {
    "href", "src", "cite", "action", "formaction", "background", "codebase", "data", "longdesc", "manifest",
    "ping", "poster", "profile", "srcset", "usemap", "xlink:href", "xml:base",
}  # fmt: skip
_ATTRIBUTE_VALUES = {
    "align": {"left", "right", "center", "justify"},
    "valign": {"top", "middle", "bottom", "baseline"},
}
# The classes writers use to mark up letters, texts, poems and the like (AO3 work skins use names like
# these). Users may set these and no others, so that a work cannot dress its text up as the archive's
# own notices, buttons or warnings: none of them is a class of the site's templates or stylesheet
# (tests/core/test_html.py checks).
USER_CLASSES = {
    "center", "centered", "centre", "left", "right", "justify", "align-center", "align-left", "align-right",
    "align-justify", "indent", "no-indent", "section-break", "scene-break", "divider", "letter", "poem",
    "verse", "lyrics", "song", "epigraph", "dedication", "signature", "note", "author-note", "footnote",
    "footnotes", "email", "text-message", "texts", "sms", "chat", "phone", "screen", "diary", "journal",
    "handwriting", "typewriter", "small-caps", "smallcaps", "caps", "spoiler", "sender", "recipient",
}  # fmt: skip


_URL_SCHEME = re.compile(r"([a-z][a-z0-9+.-]*):", re.I)
_URL_IGNORED = re.compile(r"[\t\n\r]")
_URL_LEADING = "".join(chr(code) for code in range(0x21))


def _unsafe_url(value: str) -> bool:
    """Whether a browser would read `value` as protocol-relative or with a scheme we do not allow."""
    # nh3 checks schemes on href and src only; `cite` needs the same rule. Browsers drop tabs and
    # newlines anywhere in a URL and control characters and spaces before it, so we do too; and they
    # read a backslash as a slash, so "/\host" and "\\host" lead off the site as "//host" does.
    url = _URL_IGNORED.sub("", value).lstrip(_URL_LEADING).replace("\\", "/").lower()
    if url.startswith("//"):
        return True
    scheme = _URL_SCHEME.match(url)
    return scheme is not None and scheme.group(1) not in URL_SCHEMES


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src":
        # Images load from the web only: no relative paths into the archive, no mailto or data.
        if not value.strip().lower().startswith(_IMAGE_SCHEMES) or _unsafe_url(value):
            return None
        return value
    if attribute in URL_ATTRIBUTES:
        return None if _unsafe_url(value) else value
    if attribute == "class":
        kept = [name for name in value.split() if name in USER_CLASSES]
        return " ".join(dict.fromkeys(kept)) or None
    if attribute in _ATTRIBUTE_VALUES:
        chosen = value.strip().lower()
        return chosen if chosen in _ATTRIBUTE_VALUES[attribute] else None
    return value


def sanitize_html(html: str) -> str:
    """Return `html` reduced to the allowlist; scripts, styles, frames and handlers are gone."""
    if not html:
        return ""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow",
        clean_content_tags={"script", "style", "svg", "math", "iframe", "object", "embed", "template"},
        attribute_filter=_filter_attribute,
        strip_comments=True,
    ).strip(" \t\n\r\f\v")  # not an ideographic space opening a Chinese or Japanese text


FORMAT_HTML = "html"
FORMAT_MARKDOWN = "markdown"
TEXT_FORMAT_CHOICES = [
    (FORMAT_HTML, "Rich text (HTML)"),
    (FORMAT_MARKDOWN, "Plain text or Markdown"),
]

# Setext headings ("Text" over a line of dashes) are off: a writer's "---" under a line is a section break.
_markdown = (
    MarkdownIt("commonmark", {"html": True, "breaks": True, "linkify": False})
    .enable(["table", "strikethrough"])
    .disable("lheading")
)


def _render_markdown_rule(renderer, tokens, idx, options, env) -> str:
    # A thematic break shows as the writer typed it ("* * *", "---"), as a section break does in rich text.
    line = env["lines"][tokens[idx].map[0]]
    marks = _MARKDOWN_RULE_MARKS.findall(line)  # the line may open with a quote's ">" or a list's bullet
    return f"<p>{escape(marks[-1] if marks else '* * *', quote=False)}</p>\n"


_MARKDOWN_RULE_MARKS = re.compile(r"[-*_](?:[ \t]*[-*_])+")
_markdown.add_render_rule("hr", _render_markdown_rule)
# A line of just "2." would start an empty numbered list and vanish; it numbers a section.
_MARKDOWN_SECTION_NUMBER = re.compile(r"^( {0,3}\d{1,9})([.)])[ \t]*$", re.M)
_OPENING_IDEOGRAPHIC_SPACE = re.compile(r"^\u3000+", re.M)


def render_user_text(text: str, text_format: str = FORMAT_HTML) -> str:
    """Turn what a user typed into safe HTML, in the format they chose, with paragraphs and section breaks
    laid out as AO3 lays them out (`core.paragraphs`)."""
    # Stripped of ASCII spaces only: a Chinese or Japanese text may open with an ideographic space.
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip(" \t\n\f\v")
    if not text.strip():
        return ""
    if text_format == FORMAT_MARKDOWN:
        text = _MARKDOWN_SECTION_NUMBER.sub(r"\1\\\2", text)
        # Markdown trims paragraphs of every space, the ideographic space opening a Japanese one too.
        text = _OPENING_IDEOGRAPHIC_SPACE.sub(lambda match: "&#x3000;" * len(match.group()), text)
        html = _markdown.render(text, {"lines": text.split("\n")})
    else:
        html = text
    return lay_out(sanitize_html(html))


_TAG = re.compile(r"<[^>]*>")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")
_WORD = re.compile(r"[^\s]*\w[^\s]*")


def html_to_text(html: str) -> str:
    import html as html_lib

    return html_lib.unescape(_TAG.sub(" ", html or ""))


# Section breaks the archive marked (`core.paragraphs`): a "-x-" or "o0o" between sections is not a word.
_SECTION_BREAK = re.compile(r'<p role="separator"[^>]*>.*?</p>', re.S)


def word_count(html: str) -> int:
    """Words in the text of `html`; Chinese and Japanese characters count one each; section breaks none."""
    text = html_to_text(_SECTION_BREAK.sub(" ", html or ""))
    cjk = len(_CJK.findall(text))
    rest = _CJK.sub(" ", text)
    return cjk + len(_WORD.findall(rest))
