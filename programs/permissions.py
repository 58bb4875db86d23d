"""Who may do what. Object-level checks live in the selectors that take the viewer."""

from functools import wraps

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q

from programs.models import HR_ADMINS_GROUP


def is_hr_admin(user) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    # Cached on the user object for the request, so the navbar and the view decorator
    # share one query.
    if not hasattr(user, "_is_hr_admin"):
        user._is_hr_admin = user.groups.filter(name=HR_ADMINS_GROUP).exists()
    return user._is_hr_admin


def hr_admin_users():
    """is_hr_admin as a queryset, for the emails sent to HR: active superusers and members
    of the HR admins group."""
    return (
        get_user_model()
        .objects.filter(Q(is_superuser=True) | Q(groups__name=HR_ADMINS_GROUP), is_active=True)
        .distinct()
    )


def hr_admin_required(view):
    """Only HR admins (and superusers) reach the view; anyone else gets 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_hr_admin(request.user):
            raise PermissionDenied("Only HR admins can open this page.")
        return view(request, *args, **kwargs)

    return wrapper
