"""Rows of another table loaded with a row, as one JSON column: a list a page needs without a query of its own."""

import json
from collections.abc import Callable

from django.db import connection
from django.db.models import TextField
from django.db.models.expressions import RawSQL


def json_rows(columns: str, source: str, order: str, params: list | None = None) -> RawSQL:
    """An annotation holding, as JSON text, one array of `columns` per row of `source` (`FROM … WHERE …`,
    correlated with the outer row), ordered by `order` on PostgreSQL. SQLite's aggregates keep no order, so
    `read_json_rows` sorts there: `columns` must hold what `order` sorts by."""
    if connection.vendor == "postgresql":
        sql = f"SELECT json_agg(json_build_array({columns}) ORDER BY {order})::text {source}"
    else:
        sql = f"SELECT json_group_array(json_array({columns})) {source}"
    return RawSQL(f"({sql})", params or [], output_field=TextField())  # noqa: S611 (callers pass names, not values)


def read_json_rows(value: str | None, key: Callable[[list], object]) -> list[list]:
    """The rows of a `json_rows` annotation in their order: as the database gave them on PostgreSQL (in its
    collation), sorted by `key` on SQLite (whose collation is code point order, as Python's)."""
    rows = json.loads(value or "[]")
    if connection.vendor != "postgresql":
        rows.sort(key=key)
    return rows
