"""Path converters shared by the project's URLs."""

from django.urls.converters import IntConverter


class IdConverter(IntConverter):
    """A database id: at most 18 digits, so any longer number is a 404 by routing instead of
    an integer overflow in the database (SQLite raises on ids past 2**63 - 1)."""

    regex = "[0-9]{1,18}"
