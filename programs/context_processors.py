from programs.permissions import is_hr_admin, is_people_admin


def roles(request):
    """What the navbar needs to show each person the parts of the product they can use."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "is_hr_admin": is_hr_admin(user),
        "is_people_admin": is_people_admin(user),
        "current_employee": getattr(user, "employee", None),
    }
