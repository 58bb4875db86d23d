"""Topic names as people type them, written once: the list separator and the key names
are compared by.

A list of topics is separated by semicolons, as in the CSV contract (a comma would need
quoting in a spreadsheet cell). Forms take commas as well, since people type either into a
text box; such a form cannot name a topic with a comma in it, the CSV import can.

The engine keeps its own copy of the key (pairing.matching.scores.normalise_topic: it
imports no Django app); tests/programs/test_topics.py keeps the two in step.

The near-duplicate rule (two names likely meaning one topic) lives here as well: the topic
picker's warning and the enrolment form's both ask it.
"""

from collections.abc import Iterable
from difflib import SequenceMatcher

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


# Words that join a topic's name without changing what it is about: "Hiring and
# interviewing" is about hiring and interviewing.
_FILLER_WORDS = frozenset({"a", "an", "and", "for", "in", "of", "on", "the", "to", "with", "&"})
# Names this alike, letter by letter, are one typo apart ("Leadership" / "Leadershp").
_SPELLING_RATIO = 0.85


def _topic_words(key: str) -> frozenset[str]:
    words = "".join(ch if ch.isalnum() or ch == "&" else " " for ch in key).split()
    # A plural is the same topic ("Negotiations" / "Negotiation").
    return frozenset(
        word[:-1] if len(word) > 3 and word.endswith("s") else word
        for word in words
        if word not in _FILLER_WORDS
    )


def is_near_duplicate(name: str, other: str) -> bool:
    """Whether two different topic names would likely be one topic: the words of one are
    all in the other ("Hiring" / "Hiring and interviewing"), or they differ by a typo or a
    plural. Names with the same key are the same topic, not near-duplicates."""
    key, other_key = normalise_topic(name), normalise_topic(other)
    if not key or not other_key or key == other_key:
        return False
    words, other_words = _topic_words(key), _topic_words(other_key)
    if words and other_words and (words <= other_words or other_words <= words):
        return True
    return SequenceMatcher(None, key, other_key).ratio() >= _SPELLING_RATIO


def near_duplicates(name: str, existing: Iterable[str]) -> list[str]:
    """The existing topic names that ``name`` nearly duplicates, in their given order."""
    return [other for other in existing if is_near_duplicate(name, other)]
