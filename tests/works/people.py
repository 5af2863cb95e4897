"""Helpers for the tests of co-creators, gifts, orphaning and related works: the posting form as a writer
fills it, and the preference that lets a user be invited."""

from django.urls import reverse

from fanfold.accounts.models import Preference
from tests.works.test_posting import work_form_data


def new_work_data(pseud, **overrides) -> dict:
    """The posting form, filled in, posting as `pseud`; association fields as given."""
    data = work_form_data(pseuds=[pseud.pk], text_format="html", content="<p>Words.</p>", rating="General Audiences")
    data.update(overrides)
    return data


def edit_data(work, pseud, **overrides) -> dict:
    """The edit form of a one-shot `work` as its page fills it, with `overrides`."""
    data = new_work_data(pseud, title=work.title)
    data.pop("post")
    data["update"] = "1"
    data["gifts"] = ", ".join(gift.recipient for gift in work.gifts.filter(refused=False))
    data.update(overrides)
    return data


def allow_invitations(user) -> None:
    Preference.objects.filter(user=user).update(allow_cocreator_invitations=True)


def byline_of(client, work) -> str:
    """The byline of `work`'s page as `client` sees it."""
    page = client.get(work.get_absolute_url()).content.decode()
    start = page.index('<h2 class="byline">')
    return page[start : page.index("</h2>", start)]


def creator_works_page(client, username: str) -> str:
    return client.get(reverse("discovery:creator_works", kwargs={"username": username})).content.decode()
