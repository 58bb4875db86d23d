"""The directory's rules: who keeps it, and the people admins group."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError

from programs.models import PEOPLE_ADMINS_GROUP, AuditEvent
from programs.permissions import is_hr_admin, is_people_admin
from programs.services import people_admin_add, people_admin_remove
from tests.factories import make_employee, make_hr_admin, make_people_admin, make_user

pytestmark = pytest.mark.django_db


def test_people_admins_are_the_group_and_superusers_not_hr_admins():
    people, hr = make_people_admin(), make_hr_admin()
    root = make_user(is_superuser=True)
    assert [is_people_admin(u) for u in (people, hr, root)] == [True, False, True]
    assert [is_hr_admin(u) for u in (people, hr, root)] == [False, True, True]
    people.is_active = False
    assert is_people_admin(people) is False


def test_a_people_admin_adds_and_removes_another_and_it_is_audited():
    actor = make_people_admin(name="Pia")
    newcomer = make_employee(name="Nia New").user

    people_admin_add(actor=actor, user=newcomer)
    assert newcomer.groups.filter(name=PEOPLE_ADMINS_GROUP).exists()
    with pytest.raises(ValidationError, match="Nia New is already a people admin"):
        people_admin_add(actor=actor, user=newcomer)

    people_admin_remove(actor=actor, user=newcomer)
    assert not newcomer.groups.filter(name=PEOPLE_ADMINS_GROUP).exists()
    assert list(
        AuditEvent.objects.filter(program=None).order_by("pk").values_list("summary", flat=True)
    ) == ["Added Nia New as a people admin", "Removed Nia New as a people admin"]


def test_the_last_people_admin_stays_unless_a_superuser_can_take_over():
    only = make_people_admin(name="Olly Only")
    with pytest.raises(ValidationError, match="Olly Only is the last people admin"):
        people_admin_remove(actor=only, user=only)
    make_user(is_superuser=True)
    people_admin_remove(actor=only, user=only)
    assert not Group.objects.get(name=PEOPLE_ADMINS_GROUP).user_set.exists()


def test_hr_admins_cannot_manage_people_admins_and_leavers_cannot_join():
    hr = make_hr_admin()
    with pytest.raises(PermissionDenied):
        people_admin_add(actor=hr, user=hr)
    gone = make_employee(name="Gus Gone").user
    gone.is_active = False
    gone.save()
    with pytest.raises(ValidationError, match="Gus Gone cannot sign in"):
        people_admin_add(actor=make_people_admin(), user=gone)


def test_a_people_admin_changes_master_data_and_marks_a_leaver_in_one_step():
    from programs.services import employee_directory_update

    boss = make_employee(name="Bea Boss", email="bea@example.org")
    ana = make_employee(name="Ana Brennan", level=3, department="Finance")
    actor = make_people_admin()

    changed = employee_directory_update(
        actor=actor, employee=ana, name="Ana Brennan", level=4, manager=boss, active=False
    )

    ana.refresh_from_db()
    assert changed == ["level", "manager", "active"]
    assert (ana.level, ana.manager, ana.department) == (4, boss, "Finance")
    assert ana.user.is_active is False
    event = AuditEvent.objects.get(action=AuditEvent.Action.PERSON_CHANGED)
    assert event.detail == {
        "email": ana.email,
        "level": {"from": 3, "to": 4},
        "manager": {"from": None, "to": "bea@example.org"},
    }
    assert employee_directory_update(actor=actor, employee=ana, level=4, active=False) == []
    with pytest.raises(PermissionDenied):
        employee_directory_update(actor=make_hr_admin(), employee=ana, level=5)
    with pytest.raises(ValidationError):
        employee_directory_update(actor=actor, employee=ana, manager=ana)
