"""What may be in text a person sends: control characters refused, single-line fields kept on one line."""

import re

# C0 control characters. NUL cannot be stored by PostgreSQL at all; the others have no business in a
# name, a search or a story, and some (like ESC) can do harm in a terminal reading the logs.
_CONTROL = re.compile(r"[\x00-\x1f]")
_CONTROL_BUT_WHITESPACE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_CONTROL_BUT_TAB = re.compile(r"[\x00-\x08\x0a-\x1f]")
# Everything that ends a line somewhere: an email header, a log line, a browser's text box.
_LINE_BREAKS = re.compile(r"[\r\n\x0b\x0c\x85\u2028\u2029]+")


def has_control_characters(text: str, *, allow: str = "") -> bool:
    """Whether `text` holds a C0 control character; `allow` is "whitespace" (tab, CR, LF) or "tab"."""
    pattern = {"": _CONTROL, "whitespace": _CONTROL_BUT_WHITESPACE, "tab": _CONTROL_BUT_TAB}[allow]
    return pattern.search(text) is not None


def single_line(text: str) -> str:
    """`text` on one line: each run of line breaks becomes one space, as a browser shows it."""
    return _LINE_BREAKS.sub(" ", text)
