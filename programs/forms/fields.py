"""Form fields shared by the apps' forms."""

from django import forms

# The largest id a database column holds (a signed 64-bit integer): a posted id past it is
# a form error, not an integer overflow in the query (SQLite raises on one).
MAX_ID = 2**63 - 1


class IdField(forms.IntegerField):
    """The id of a row, posted by a page: a whole number from 1 to MAX_ID."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)
