"""The limits of the database and of sign-in, as checks the import plan and the forms
share, so a value either gets a message a person can act on or fits where it goes."""

import re

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from programs.models import Topic

# Everything below a space except tab, line feed and carriage return, and DEL: invisible,
# and a NUL byte is refused by PostgreSQL outright.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def max_length(model, field: str) -> int:
    return model._meta.get_field(field).max_length


def control_character_problem(value: str) -> str | None:
    if CONTROL_CHARACTERS.search(value):
        return "contains a control character"
    return None


def login_email_max_length() -> int:
    """The login's username is the email, so an email is at most as long as it."""
    return max_length(get_user_model(), "username")


def login_email_problem(email: str) -> str | None:
    """Why this (valid, lower-cased, not too long) address cannot be someone's login, or
    None: the username's characters are fewer than an email's (no apostrophe)."""
    try:
        get_user_model().username_validator(email)
    except ValidationError:
        return "cannot be used to sign in here (letters, digits and @ . + - _ only)"
    return None


def topic_problems(names, *, label: str) -> list[str]:
    limit = max_length(Topic, "name")
    return [
        f"{label} is longer than {limit} characters ({len(name)})"
        for name in names
        if len(name) > limit
    ]


def validate_no_control_characters(value: str) -> None:
    if problem := control_character_problem(value):
        raise ValidationError(f"This {problem}.", code="control_character")


def validate_login_email(value: str) -> None:
    if problem := login_email_problem(value.strip().lower()):
        raise ValidationError(f"This email {problem}.", code="login_email")
