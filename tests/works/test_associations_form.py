"""The posting and edit forms hold co-creators, gifts, the work this one answers and series in one
"Associations" section, after the Preface as on AO3, each refusal beside its field and everything typed kept."""

import re

import pytest
from django.urls import reverse

from fanfold.series.models import Series
from fanfold.works.models import Work
from tests.works.people import edit_data, new_work_data

pytestmark = pytest.mark.django_db

NEW = reverse("works:new")


def legends(html: str) -> list[str]:
    return re.findall(r"<legend>([^<*]+?)\s*\*?</legend>", html)


def section(html: str) -> str:
    start = html.index('<fieldset class="associations" id="associations">')
    return html[start : html.index('<fieldset class="association-series">', start)]


@pytest.mark.parametrize("on_edit", [False, True], ids=["posting", "edit"])
def test_one_associations_section_after_the_preface(writer, writer_client, make_work, on_edit):
    url = reverse("works:edit", args=[make_work(writer).pk]) if on_edit else NEW

    found = legends(writer_client.get(url).content.decode())

    assert found.count("Associations") == 1 and "Co-creators, gifts and inspiration" not in found
    order = [
        "Preface",
        "Associations",
        "This work is a remix, a translation, a podfic, or was inspired by another work",
    ]
    order += ["This work is part of a series", "Details"]
    assert [legend for legend in found if legend in order] == order


def test_refusals_show_beside_their_fields_and_nothing_typed_is_lost(writer, writer_client, make_user):
    data = new_work_data(
        writer.default_pseud,
        title="Kept As Typed",
        co_creators="nobody-at-all",
        gifts="A Friend Elsewhere",
        parent_reference="https://example.org/story",
        series="",
        new_series_title="x" * 300,
    )

    response = writer_client.post(NEW, data)

    html = response.content.decode()
    assert response.status_code == 400 and not Work.objects.exists() and not Series.objects.exists()
    assert 'value="Kept As Typed"' in html and 'value="A Friend Elsewhere"' in html
    assert 'value="https://example.org/story"' in html and 'value="nobody-at-all"' in html
    series_part = html[html.index('<fieldset class="association-series">') :]
    assert "Series title must be at most" in series_part[: series_part.index("</fieldset>")]

    data["new_series_title"] = "A Good Series"
    response = writer_client.post(NEW, data)

    html = response.content.decode()
    co_creators = section(html)[section(html).index("field-co_creators") :]
    assert "There is no user or pseud called “nobody-at-all”." in co_creators[: co_creators.index("field-gifts")]
    parent = section(html)[section(html).index("field-parent_title") :]
    assert "Please give the title of the work elsewhere." in parent[: parent.index("field-parent_creator")]
    assert 'value="A Good Series"' in html


def test_an_edit_keeps_its_gifts_and_joins_a_new_series(writer, writer_client, make_work):
    work = make_work(writer, title="Edited")
    url = reverse("works:edit", args=[work.pk])
    writer_client.post(url, edit_data(work, writer.default_pseud, gifts="Someone", new_series_title="Edits"))

    html = writer_client.get(url).content.decode()

    assert 'value="Someone"' in section(html)
    assert "This work is in" in html and "Edits" in html
