"""Pseuds: more names to write under, one of them the default."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from fanfold.accounts.models import Pseud
from fanfold.accounts.selectors import user_pseuds
from fanfold.accounts.services import pseud_create, pseud_delete, pseud_set_default, pseud_update
from fanfold.works.services import ChapterFields, WorkFields, work_create

PSEUD_NEW = reverse("accounts:pseud_new")


def pseud_data(**overrides):
    return {"name": "Night Owl", "description": "", "text_format": "html", **overrides}


@pytest.mark.django_db
def test_create_pseud_from_the_form(writer_client, writer):
    response = writer_client.post(PSEUD_NEW, pseud_data(description="<p>Late <em>stories</em><script>x()</script></p>"))

    assert response["Location"] == reverse("accounts:pseuds", kwargs={"username": "writer"})
    pseud = writer.pseuds.get(name="Night Owl")
    assert pseud.description == "<p>Late <em>stories</em></p>"
    assert pseud.is_default is False
    assert [p.name for p in user_pseuds(writer)] == ["writer", "Night Owl"]


@pytest.mark.django_db
def test_duplicate_pseud_name_in_other_case_is_refused_and_input_kept(writer_client, writer):
    pseud_create(user=writer, name="Night Owl")

    response = writer_client.post(PSEUD_NEW, pseud_data(name="night owl", description="Kept text"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "You already have a pseud called “Night Owl”." in html
    assert 'value="night owl"' in html
    assert "Kept text" in html
    assert writer.pseuds.count() == 2


@pytest.mark.django_db
def test_same_pseud_name_is_fine_for_different_users(writer, reader):
    pseud_create(user=writer, name="Night Owl")

    assert pseud_create(user=reader, name="Night Owl").user == reader


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Please enter a name for the pseud."),
        ("x" * 41, "Pseud names can be at most 40 characters long (this one is 41)."),
        ("a/b", "Pseud names can contain only letters, numbers, spaces, underscores and hyphens."),
        ("---", "Pseud names can contain only letters, numbers, spaces, underscores and hyphens."),
    ],
)
def test_bad_pseud_names_are_refused(writer, name, message):
    with pytest.raises(ValidationError) as caught:
        pseud_create(user=writer, name=name)

    assert message in caught.value.message_dict["name"]


@pytest.mark.django_db
def test_pseud_page_shows_description_and_its_works_only(client, writer, make_work):
    owl = pseud_create(user=writer, name="Night Owl", description="<p>Writes at <b>night</b>.</p>")
    make_work(writer, title="Under the Default")
    work_create(
        pseuds=[owl],
        fields=WorkFields(
            title="Owl Story", rating="General Audiences", warnings=["No Archive Warnings Apply"], fandoms=["Owls"]
        ),
        chapter=ChapterFields(content="<p>Hoot.</p>"),
        post=True,
    )

    response = client.get(reverse("accounts:pseud", kwargs={"username": "writer", "pseud": "Night Owl"}))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Writes at <b>night</b>." in html
    assert "Owl Story" in html
    assert "Under the Default" not in html


@pytest.mark.django_db
def test_unknown_pseud_is_404(client, writer):
    assert client.get(reverse("accounts:pseud", kwargs={"username": "writer", "pseud": "ghost"})).status_code == 404
    assert client.get(reverse("accounts:pseud", kwargs={"username": "ghost", "pseud": "ghost"})).status_code == 404


@pytest.mark.django_db
def test_edit_pseud_description_and_make_it_default(writer_client, writer):
    pseud_create(user=writer, name="Night Owl")
    url = reverse("accounts:pseud_edit", kwargs={"username": "writer", "pseud": "Night Owl"})

    response = writer_client.post(
        url, pseud_data(name="Night Owls", description="<p onclick='x()'>Hi</p>", make_default="on")
    )

    assert response.status_code == 302
    pseud = writer.pseuds.get(name="Night Owls")
    assert pseud.description == "<p>Hi</p>"
    assert pseud.is_default
    assert writer.default_pseud == pseud
    assert writer.pseuds.filter(is_default=True).count() == 1


@pytest.mark.django_db
def test_make_default_button(writer_client, writer):
    pseud_create(user=writer, name="Night Owl")
    url = reverse("accounts:pseud_make_default", kwargs={"username": "writer", "pseud": "Night Owl"})

    assert writer_client.get(url).status_code == 405
    writer_client.post(url)

    assert writer.default_pseud.name == "Night Owl"
    assert writer.pseuds.get(name="writer").is_default is False


@pytest.mark.django_db
def test_pseud_named_after_username_cannot_be_renamed(writer):
    with pytest.raises(ValidationError) as caught:
        pseud_update(pseud=writer.default_pseud, name="someone else", description="")

    assert "cannot be renamed" in caught.value.message_dict["name"][0]


@pytest.mark.django_db
def test_renaming_onto_another_pseud_name_is_refused(writer):
    pseud_create(user=writer, name="Night Owl")
    lark = pseud_create(user=writer, name="Lark")

    with pytest.raises(ValidationError) as caught:
        pseud_update(pseud=lark, name="NIGHT OWL", description="")

    assert caught.value.message_dict["name"] == ["You already have a pseud called “Night Owl”."]


@pytest.mark.django_db
def test_another_user_cannot_edit_or_delete_my_pseud(reader_client, writer):
    pseud_create(user=writer, name="Night Owl")
    kwargs = {"username": "writer", "pseud": "Night Owl"}

    response = reader_client.post(reverse("accounts:pseud_edit", kwargs=kwargs), pseud_data(name="Stolen"))
    assert response.status_code == 403
    assert reader_client.post(reverse("accounts:pseud_delete", kwargs=kwargs)).status_code == 403
    assert reader_client.post(reverse("accounts:pseud_make_default", kwargs=kwargs)).status_code == 403

    assert writer.pseuds.filter(name="Night Owl", is_default=False).exists()


@pytest.mark.django_db
def test_delete_pseud_without_works(writer_client, writer):
    pseud_create(user=writer, name="Night Owl")

    writer_client.post(reverse("accounts:pseud_delete", kwargs={"username": "writer", "pseud": "Night Owl"}))

    assert not writer.pseuds.filter(name="Night Owl").exists()


@pytest.mark.django_db
def test_default_pseud_and_credited_pseuds_are_not_deleted(writer, make_work):
    with pytest.raises(ValidationError, match="default pseud"):
        pseud_delete(pseud=writer.default_pseud)
    owl = pseud_create(user=writer, name="Night Owl")
    pseud_set_default(pseud=owl)
    make_work(writer, title="Credited")  # credited to the default of the moment, "Night Owl"
    pseud_set_default(pseud=writer.pseuds.get(name="writer"))

    with pytest.raises(ValidationError, match="credited on works"):
        pseud_delete(pseud=Pseud.objects.get(pk=owl.pk))

    assert Pseud.objects.filter(pk=owl.pk).exists()


@pytest.mark.django_db
def test_pseud_list_shows_all_pseuds_and_controls_only_to_owner(client, writer_client, writer):
    pseud_create(user=writer, name="Night Owl")
    url = reverse("accounts:pseuds", kwargs={"username": "writer"})
    edit_url = reverse("accounts:pseud_edit", kwargs={"username": "writer", "pseud": "Night Owl"})

    public = client.get(url).content.decode()
    own = writer_client.get(url).content.decode()

    assert "Night Owl" in public
    assert edit_url not in public
    assert edit_url in own
