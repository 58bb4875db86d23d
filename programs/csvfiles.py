"""What the CSV imports share: decoding, the header, line numbers, duplicates, and the
errors that name a line. Each import brings its columns and how to clean one row."""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from programs.models import Employee, Level, normalise_email
from programs.spreadsheets import unsafe_cell
from programs.validators import (
    control_character_problem,
    login_email_max_length,
    login_email_problem,
    max_length,
)

HEADER_LINE = 1


@dataclass(frozen=True)
class RowError:
    """One bad row (or the header, line 1) and why, in words an HR admin can act on."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class ImportRejected(Exception):
    """The file has errors, so nothing was imported; `errors` lists every one."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__(f"{len(errors)} errors, nothing imported: " + "; ".join(map(str, errors)))


# clean(values by column, line) -> (the row, or None, and the reasons it is bad)
Cleaner = Callable[[dict[str, str], int], tuple[object | None, list[str]]]


# How often reading reports its progress, in rows.
PROGRESS_EVERY = 1000


def read_rows(
    data: str | bytes,
    *,
    required: tuple[str, ...],
    optional: tuple[str, ...] = (),
    clean: Cleaner,
    progress: Callable[[int], None] | None = None,
) -> tuple[list, list[RowError]]:
    """The file's rows cleaned, or the errors of every bad one (then no rows).

    Columns may come in any order; `optional` ones absent from the header are absent from
    the values too. Blank lines are skipped, the cells a spreadsheet would run come back
    as typed (see spreadsheets.unsafe_cell), and an email on two lines is an error.
    `progress`, if given, is called with the number of rows read, every PROGRESS_EVERY.
    """
    try:
        if isinstance(data, bytes):
            data = data.decode("utf-8")
    except UnicodeDecodeError as error:
        return [], [RowError(HEADER_LINE, f"the file is not UTF-8 text ({error.reason})")]
    # Spreadsheet programs write a byte-order mark at the start of "UTF-8 CSV" files.
    text = data.removeprefix("\ufeff")
    try:
        return _read(text, required=required, optional=optional, clean=clean, progress=progress)
    except csv.Error as error:
        return [], [RowError(HEADER_LINE, f"the file is not readable CSV ({error})")]


def _read(
    text: str, *, required, optional, clean: Cleaner, progress
) -> tuple[list, list[RowError]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        return [], [RowError(HEADER_LINE, "the file is empty; expected a header row")]
    header = [column.strip().lower() for column in header]
    missing = [column for column in required if column not in header]
    if missing:
        return [], [RowError(HEADER_LINE, f"the header lacks the columns {', '.join(missing)}")]
    index = {column: header.index(column) for column in (*required, *optional) if column in header}

    rows: list = []
    errors: list[RowError] = []
    first_line_of_emails: dict[str, int] = {}
    read = 0
    line = reader.line_num + 1
    for fields in reader:
        fields = [unsafe_cell(value) for value in fields]
        if any(value.strip() for value in fields):
            values = {c: fields[i] if i < len(fields) else "" for c, i in index.items()}
            row, problems = clean(values, line)
            email = normalise_email(values["email"])
            if email in first_line_of_emails:
                problems.append(
                    f"email {email} already appears on line {first_line_of_emails[email]}"
                )
            elif email:
                first_line_of_emails[email] = line
            if len(fields) > len(header):
                problems.append(f"has {len(fields)} fields but the header has {len(header)}")
            if problems:
                errors.append(RowError(line, "; ".join(problems)))
            elif not errors:
                rows.append(row)
            read += 1
            if progress and read % PROGRESS_EVERY == 0:
                progress(read)
        # A quoted field may span lines: the next row starts after the last line read.
        line = reader.line_num + 1
    return ([] if errors else rows), errors


def too_long(checks) -> list[str]:
    """(column, value, limit) → "column is longer than limit characters (n)" for each over."""
    return [
        f"{column} is longer than {limit} characters ({len(value)})"
        for column, value, limit in checks
        if len(value) > limit
    ]


def valid_email(value: str) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


def plain_text(value: str) -> str:
    """A name-like cell: trimmed, inner runs of white space made one space."""
    return " ".join(value.split())


def whole_number(raw: str) -> int | None:
    """The cell as a whole number, or None. ASCII digits only: str.isdigit() also accepts
    "²" and the like, which int() refuses."""
    return int(raw) if raw.isascii() and raw.isdigit() else None


def clean_person(values: dict[str, str]) -> tuple[dict, list[str]]:
    """The person's columns both imports have (email, name, department, level and
    manager_email; department may be absent), cleaned, and what is wrong with them
    (every database limit, checked before anything is written), with control
    characters looked for in every column of the row."""
    problems: list[str] = []
    emails = {}
    for column in ("email", "manager_email"):
        raw = values.get(column, "").strip()
        email = emails[column] = normalise_email(raw)
        if not email:
            if column == "email":
                problems.append("email is missing")
        elif not valid_email(email):
            problems.append(f"{column} {raw!r} is not a valid address")
        elif len(email) > login_email_max_length():
            problems += too_long([(column, email, login_email_max_length())])
        # A manager not known yet is created with a login too.
        elif problem := login_email_problem(email):
            problems.append(f"{column} {raw!r} {problem}")
    if emails["manager_email"] and emails["manager_email"] == emails["email"]:
        problems.append("manager_email is the person's own email")

    name = plain_text(values["name"])
    if not name:
        problems.append("name is missing")
    department = plain_text(values.get("department", ""))
    problems += too_long(
        [
            ("name", name, max_length(Employee, "name")),
            ("department", department, max_length(Employee, "department")),
        ]
    )

    raw_level = values["level"].strip()
    level = whole_number(raw_level)
    if level not in Level.values:
        problems.append(f"level {raw_level!r} is not a whole number from 1 to 6")

    problems += [
        f"{column} {problem}"
        for column, value in values.items()
        if (problem := control_character_problem(value))
    ]
    person = {"name": name, "department": department, "level": level, **emails}
    return person, problems
