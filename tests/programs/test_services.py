import pytest
from django.core.exceptions import ValidationError

from programs.models import HR_ADMINS_GROUP, AuditEvent, Topic
from programs.services import program_admin_add, program_admin_remove, topics_from_names
from tests.factories import make_employee, make_hr_admin, make_program, make_user

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


# --- A programme's admins -----------------------------------------------------------------


def test_program_admin_add_records_who_joined_the_hr_admins_group():
    actor = make_hr_admin()
    program = make_program(admins=[actor])
    newcomer = make_employee(name="Ann Archer").user
    colleague = make_hr_admin(name="Cole HR")

    joined = [
        program_admin_add(program=program, actor=actor, user=user) for user in (newcomer, colleague)
    ]

    assert joined == [True, False]
    assert set(program.admins.all()) == {actor, newcomer, colleague}
    assert newcomer.groups.get().name == HR_ADMINS_GROUP
    assert sorted(
        AuditEvent.objects.filter(program=program).values_list(
            "detail__joined_hr_admins", flat=True
        )
    ) == [False, True]


def test_program_admin_remove_refuses_a_non_admin_and_the_last_one():
    actor = make_hr_admin()
    program = make_program(admins=[actor], name="Grow")
    stranger = make_hr_admin(name="Stan Stranger")

    with pytest.raises(ValidationError) as not_admin:
        program_admin_remove(program=program, actor=actor, user=stranger)
    with pytest.raises(ValidationError) as last:
        program_admin_remove(program=program, actor=actor, user=actor)

    assert not_admin.value.messages == ["Stan Stranger is not an admin of Grow."]
    assert last.value.messages == [
        "Hana HR is the last admin of Grow who can open its HR pages; add another admin first."
    ]
    assert list(program.admins.all()) == [actor]


def test_program_admin_remove_counts_a_superuser_admin_as_able_to_manage():
    actor = make_hr_admin()
    superuser = make_user(is_superuser=True)
    program = make_program(admins=[actor, superuser])

    program_admin_remove(program=program, actor=actor, user=actor)

    assert list(program.admins.all()) == [superuser]
