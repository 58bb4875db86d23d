"""CSV cells a spreadsheet would run, made harmless on the way out and restored on the way in.

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to Excel,
LibreOffice and Google Sheets, so a goal typed as `=HYPERLINK(...)` would run on the HR
admin's machine when they open an export. Exports put a `'` in front of such cells (the
spreadsheets' own "this is text" mark) and imports strip exactly that, so an export still
re-imports with zero changes.
"""

import csv
from collections.abc import Iterable, Iterator
from itertools import chain

from django.http import StreamingHttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# The same marks as a set of first characters: exports test every cell, and a set lookup on
# the first character is several times cheaper than str.startswith over a tuple.
_FORMULA_FIRST = frozenset(FORMULA_STARTS)


def safe_cell(value):
    if isinstance(value, str) and value[:1] in _FORMULA_FIRST:
        return "'" + value
    return value


def unsafe_cell(value: str) -> str:
    """The cell as it was before safe_cell: one `'` dropped, only in front of a formula."""
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


class SafeWriter:
    """csv.writer whose rows go through safe_cell; every CSV export writes with it."""

    def __init__(self, stream):
        self._writer = csv.writer(stream)

    def writerow(self, row) -> None:
        self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows) -> None:
        for row in rows:
            self.writerow(row)


class _Line:
    """A file that hands back what is written to it: csv.writer then yields each line."""

    def write(self, text: str) -> str:
        return text


# Lines per piece a streamed CSV hands the server: the WSGI server writes each piece to the
# socket (one chunk, one system call), so line by line a 10,000-row export spent more time
# in writes than in building its rows.
LINES_PER_PIECE = 500


def csv_lines(rows: Iterable) -> Iterator[str]:
    """The rows as CSV lines through safe_cell, a few hundred lines a piece, for a
    StreamingHttpResponse: a big export goes out as it is read, never built whole in
    memory."""
    writer = csv.writer(_Line())
    piece: list[str] = []
    for row in rows:
        piece.append(writer.writerow([safe_cell(value) for value in row]))
        if len(piece) == LINES_PER_PIECE:
            yield "".join(piece)
            piece = []
    if piece:
        yield "".join(piece)


def csv_download(filename: str, header: Iterable, rows: Iterable) -> StreamingHttpResponse:
    """``header`` then ``rows`` as a streamed CSV attachment: every CSV export sends with it,
    so a big one never holds a worker while it is built."""
    response = StreamingHttpResponse(
        csv_lines(chain([header], rows)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
