"""Topic names as people type them, written once: the list separator and the key names
are compared by.

A list of topics is separated by semicolons, as in the CSV contract (a comma would need
quoting in a spreadsheet cell). Forms take commas as well, since people type either into a
text box; such a form cannot name a topic with a comma in it, the CSV import can.

The engine keeps its own copy of the key (pairing.matching.scores.normalise_topic: it
imports no Django app); tests/programs/test_topics.py keeps the two in step.
"""

SEPARATOR = ";"


def normalise_topic(name: str) -> str:
    """The key topics are compared by: trimmed, inner spaces collapsed, case-folded."""
    return " ".join(name.split()).casefold()


def topic_names(text: str, *, commas: bool = False) -> list[str]:
    """The names in a typed list, in order: each trimmed with inner spaces collapsed,
    empty ones dropped. ``commas`` (forms) separates on commas too."""
    if commas:
        text = text.replace(",", SEPARATOR)
    return [name for name in (" ".join(part.split()) for part in text.split(SEPARATOR)) if name]
