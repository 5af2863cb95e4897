"""Shared form fields: ids are checked to fit the database before any query is sent."""

import pytest
from django.core.exceptions import ValidationError

from fanfold.accounts.models import Pseud
from fanfold.core.forms import IdMultipleChoiceField, parse_id

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", ["1", " 42 ", 7, str(2**63 - 1)])
def test_ids_the_database_can_hold(value):
    assert parse_id(value, Pseud) == int(str(value).strip())


@pytest.mark.parametrize("value", [str(2**63), str(10**30), "0", "-1", "1.5", "", None, "x", "١٢", "1" * 5000])
def test_values_that_cannot_be_ids(value):
    assert parse_id(value, Pseud) is None


def test_choosing_an_overflowing_id_is_an_invalid_choice(writer, django_assert_num_queries):
    pseud = writer.default_pseud
    field = IdMultipleChoiceField(queryset=Pseud.objects.filter(user=writer))
    with django_assert_num_queries(0), pytest.raises(ValidationError) as error:
        field.clean([str(pseud.pk), str(2**63)])
    assert error.value.code == "invalid_choice"
    assert field.clean([str(pseud.pk)]).get() == pseud
