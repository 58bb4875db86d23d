"""Password rules that know the person behind the account."""

from django.contrib.auth.password_validation import UserAttributeSimilarityValidator


class PersonAttributeSimilarityValidator(UserAttributeSimilarityValidator):
    """Django's check compares the password with User fields only, and our users carry just
    their email as username: a person's own name ("Plain Person", "plainperson") would pass.
    This also compares it with their Employee record's name and email, whole and in parts,
    with the same similarity threshold."""

    EMPLOYEE_ATTRIBUTES = ("name", "email")

    def validate(self, password, user=None):
        super().validate(password, user)
        # A user being created (no primary key yet) or a bare superuser has no employee.
        employee = getattr(user, "employee", None) if user is not None and user.pk else None
        if employee is not None:
            UserAttributeSimilarityValidator(
                user_attributes=self.EMPLOYEE_ATTRIBUTES, max_similarity=self.max_similarity
            ).validate(password, employee)
