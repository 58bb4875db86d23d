import pytest

from programs.models import Topic
from programs.services import topics_from_names

pytestmark = pytest.mark.django_db


def test_topics_are_one_per_normalised_name_and_keep_the_first_spelling():
    first = topics_from_names(["Public  speaking ", "PUBLIC SPEAKING", "Budgeting", " "])
    again = topics_from_names(["public speaking"])

    assert [t.name for t in first] == ["Public speaking", "Budgeting"]
    assert again == [first[0]]
    assert Topic.objects.count() == 2


def test_shouted_or_whispered_topic_names_are_title_cased_but_acronyms_kept():
    topics = topics_from_names(["CLOUD ARCHITECTURE", "remote work", "AI SAFETY", "UX"])

    assert [t.name for t in topics] == ["Cloud Architecture", "Remote Work", "AI Safety", "UX"]


def test_a_topic_created_meanwhile_by_another_request_is_reused(monkeypatch):
    # Another request creates the topic between our lookup and our insert.
    theirs = Topic(name="Negotiation")
    theirs.save()
    real_filter = Topic.objects.filter
    monkeypatch.setattr(Topic.objects, "filter", lambda **kw: real_filter(pk__in=[]))

    topics = topics_from_names(["negotiation"])

    assert topics == [theirs]
    assert Topic.objects.count() == 1
