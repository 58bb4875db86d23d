"""Who may do what. Object-level checks live in the selectors that take the viewer."""

from functools import wraps

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q

from programs.models import HR_ADMINS_GROUP, PEOPLE_ADMINS_GROUP


def _in_group(user, name: str) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    # All the user's group names in one query, cached on the user object for the request,
    # so the navbar (HR and people admin links) and the view decorator share it.
    if "_group_names" not in user.__dict__:
        user.__dict__["_group_names"] = set(user.groups.values_list("name", flat=True))
    return name in user.__dict__["_group_names"]


def is_hr_admin(user) -> bool:
    return _in_group(user, HR_ADMINS_GROUP)


def is_people_admin(user) -> bool:
    """People admins keep the directory: only they change an existing employee's name,
    department, level, manager or whether they are still here."""
    return _in_group(user, PEOPLE_ADMINS_GROUP)


def is_admin(user) -> bool:
    """HR admins and people admins: those who hold other people's data, and must use
    two-factor where it is required."""
    return is_hr_admin(user) or is_people_admin(user)


def hr_admin_users():
    """is_hr_admin as a queryset, for the emails sent to HR: active superusers and members
    of the HR admins group."""
    return (
        get_user_model()
        .objects.filter(Q(is_superuser=True) | Q(groups__name=HR_ADMINS_GROUP), is_active=True)
        .distinct()
    )


def _group_required(check, message: str):
    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not check(request.user):
                raise PermissionDenied(message)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


# Only HR admins (and superusers) reach the view; anyone else gets 403.
hr_admin_required = _group_required(is_hr_admin, "Only HR admins can open this page.")
people_admin_required = _group_required(is_people_admin, "Only people admins can open this page.")
admin_required = _group_required(is_admin, "Only HR and people admins can open this page.")
