"""Writers posting works with the same brand-new tags at the same moment: every post succeeds, one tag each."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.urls import reverse

from fanfold.tags.models import Tag, name_key
from fanfold.works.models import Work
from tests.concurrency.live import Visitor

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

WRITERS = 6
NEW_TAGS = {
    "fandoms": "Brand New Fandom",
    "relationships": "First Person/Second Person",
    "characters": "First Person",
    "freeforms": "Written At The Same Moment",
}


def test_same_new_tags_posted_at_once_make_one_tag_each_and_lose_no_work(live_server, make_user):
    writers = [make_user() for _ in range(WRITERS)]
    visitors = [Visitor(live_server, writer) for writer in writers]
    forms = [
        {
            "pseuds": [writer.default_pseud.pk],
            "rating": "General Audiences",
            "warnings": ["No Archive Warnings Apply"],
            "title": f"Simultaneous {number}",
            "language": "en",
            "expected_chapters": "1",
            "comment_permission": "registered",
            "content": f"Posted by writer {number}, at the same moment as the others.",
            "text_format": "markdown",
            "post": "1",
            **NEW_TAGS,
        }
        for number, writer in enumerate(writers)
    ]
    new_work = reverse("works:new")
    start = threading.Barrier(WRITERS, timeout=30)

    def post(number: int):
        start.wait()
        return visitors[number].post(new_work, forms[number])

    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        answers = list(pool.map(post, range(WRITERS)))

    assert [(answer.status, answer.text[:300]) for answer in answers] == [(302, "")] * WRITERS
    works = Work.objects.filter(posted=True)
    assert sorted(works.values_list("title", flat=True)) == [f"Simultaneous {number}" for number in range(WRITERS)]
    for field, name in NEW_TAGS.items():
        tag = Tag.objects.get(key=name_key(name))
        assert tag.type == field.removesuffix("s")
        assert tag.works.count() == WRITERS
    for answer, work in zip(answers, works.order_by("title"), strict=True):
        assert answer.location == work.get_absolute_url()
