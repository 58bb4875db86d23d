"""The one topic-list parser, the two copies of the topic key agreeing, and the
near-duplicate rule the topic picker warns with."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pairing.matching import normalise_topic as engine_key
from programs.topics import is_near_duplicate, near_duplicates, normalise_topic, topic_names


@pytest.mark.parametrize(
    ("text", "commas", "expected"),
    [
        ("Public Speaking; Python", False, ["Public Speaking", "Python"]),
        ("  Public   Speaking ;;  ; Python ", False, ["Public Speaking", "Python"]),
        # The CSV keeps a comma inside a name; a form takes it as a separator.
        ("Research, Development;Python", False, ["Research, Development", "Python"]),
        ("Research, Development;Python", True, ["Research", "Development", "Python"]),
        ("Leadership,Hiring", True, ["Leadership", "Hiring"]),
        ("", True, []),
        (" ; , ", True, []),
    ],
)
def test_topic_names_split_trim_and_drop_empties(text, commas, expected):
    assert topic_names(text, commas=commas) == expected


@given(st.text())
def test_the_programs_and_engine_topic_keys_agree(name):
    assert normalise_topic(name) == engine_key(name)


@given(st.lists(st.text(alphabet=st.characters(exclude_characters=";,")), max_size=5))
def test_every_name_survives_a_round_trip_through_the_separator(names):
    cleaned = [" ".join(name.split()) for name in names if name.split()]
    assert topic_names("; ".join(names)) == cleaned
    assert topic_names(", ".join(names), commas=True) == cleaned


@pytest.mark.parametrize(
    ("name", "other", "near"),
    [
        # The words of one are all in the other.
        ("Hiring", "Hiring and interviewing", True),
        ("hiring and interviewing", "Hiring", True),
        ("Public speaking", "Speaking in public", True),
        ("Leadership", "Technical leadership", True),
        # A plural, a typo.
        ("Negotiations", "Negotiation", True),
        ("Leadershp", "Leadership", True),
        # The same topic (the same key) is not a near-duplicate of itself.
        ("Hiring", " HIRING ", False),
        # Different topics, though they share letters or a filler word.
        ("Python", "Public speaking", False),
        ("Hiring", "Firing", False),
        ("Design reviews", "Code reviews", False),
        ("Writing", "Hiring", False),
        ("and", "Hiring and interviewing", False),
        ("", "Hiring", False),
    ],
)
def test_is_near_duplicate(name, other, near):
    assert is_near_duplicate(name, other) is near


def test_near_duplicates_keeps_the_given_order_and_leaves_out_the_same_topic():
    existing = ["Hiring", "Hiring and interviewing", "Interviewing", "Python", "Hiring teams"]
    assert near_duplicates("hiring", existing) == ["Hiring and interviewing", "Hiring teams"]
