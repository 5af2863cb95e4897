"""reverse() for the links a page writes by the hundred (blurbs' works, creators and stats).

Django's reverse() walks the URL resolver on every call (about 25 µs); a listing page links each of its works
and creators two or three times. A pattern whose arguments are ids is reversed once per view and script prefix
with stand-in digits, and each call fills the ids in; links by name are remembered per name.
"""

import functools

from django.urls import get_script_prefix, reverse

# Digits, so every converter (int, str, slug, path) accepts them; long enough never to occur in a path.
_STAND_IN = "7306199512{}48"


def reverse_ids(viewname: str, **ids: int) -> str:
    """What `reverse(viewname, kwargs=ids)` gives, for keyword arguments that are all integers."""
    return _id_template(get_script_prefix(), viewname, tuple(ids)).format(**{key: int(v) for key, v in ids.items()})


@functools.lru_cache(maxsize=256)
def _id_template(script_prefix: str, viewname: str, keys: tuple[str, ...]) -> str:
    stand_ins = {key: _STAND_IN.format(number) for number, key in enumerate(keys)}
    template = reverse(viewname, kwargs=stand_ins).replace("{", "{{").replace("}", "}}")
    for key, stand_in in stand_ins.items():
        if template.count(stand_in) != 1:
            raise ValueError(f"{viewname}: cannot tell where {key} goes in its URL")
        template = template.replace(stand_in, "{" + key + "}")
    return template


def reverse_names(viewname: str, **names: str) -> str:
    """What `reverse(viewname, kwargs=names)` gives, remembered (for names that recur, such as creators')."""
    return _reverse_names(get_script_prefix(), viewname, tuple(sorted(names.items())))


@functools.lru_cache(maxsize=65_536)
def _reverse_names(script_prefix: str, viewname: str, names: tuple[tuple[str, str], ...]) -> str:
    return reverse(viewname, kwargs=dict(names))
