"""Set-based reads and writes for imports of any size: one statement per table, cut only
where the database caps a statement's parameters (SQLite), so the number of queries does
not grow with the file."""

from django.contrib.auth import get_user_model
from django.db import connection


def chunks(values: list) -> list[list]:
    """`values` cut to fit one `__in` list: SQLite caps the parameters of a statement
    (SQLITE_LIMIT_VARIABLE_NUMBER, often 32766 or 250000); PostgreSQL needs no cut. So a
    file's size changes the number of queries only beyond that many rows."""
    limit = connection.features.max_query_params
    # Room for the query's other parameters (the programme, a few constants).
    size = max(1, limit - 100) if limit else max(1, len(values))
    return [values[i : i + size] for i in range(0, len(values), size)] or [[]]


def select_in(queryset, lookup: str, values) -> list:
    values = list(values)
    if not values:
        return []
    found = []
    for chunk in chunks(values):
        found.extend(queryset.filter(**{f"{lookup}__in": chunk}))
    return found


def bulk_set(objects: list, fields: list[str]) -> None:
    """Save these fields of these objects (all of one model): bulk_update's statement, but
    joined to a VALUES list instead of a CASE per row and field, whose building costs about
    0.1 ms of Python per row and field (2.6 s of a 3 s import of 2,000 new people).
    `UPDATE ... FROM (VALUES ...)` is PostgreSQL's and SQLite's (3.33+); both name the
    VALUES columns column1, column2, ..."""
    if not objects:
        return
    meta = objects[0]._meta
    model_fields = [meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    # Casts, because PostgreSQL types a VALUES column that is all NULL as text.
    assignments = ", ".join(
        f"{quote(f.column)} = CAST(v.column{i} AS {f.db_type(connection)})"
        for i, f in enumerate(model_fields, start=2)
    )
    placeholders = "(" + ", ".join(["%s"] * (len(fields) + 1)) + ")"
    limit = connection.features.max_query_params
    size = limit // (len(fields) + 1) if limit else len(objects)
    with connection.cursor() as cursor:
        for start in range(0, len(objects), size):
            batch = objects[start : start + size]
            params = [
                value
                for obj in batch
                for value in (
                    obj.pk,
                    *(
                        f.get_db_prep_save(getattr(obj, f.attname), connection)
                        for f in model_fields
                    ),
                )
            ]
            cursor.execute(
                f"UPDATE {table} SET {assignments} "
                f"FROM (VALUES {', '.join([placeholders] * len(batch))}) AS v "
                f"WHERE {table}.{pk} = v.column1",
                params,
            )


def logins_for(emails: list[str]) -> dict:
    """A login per address: an existing one with that username is reused (as
    employee_upsert does), the others are created with no usable password yet."""
    User = get_user_model()
    users = {user.username: user for user in select_in(User.objects, "username", emails)}
    new = []
    for email in emails:
        if email not in users:
            user = User(username=email, email=email)
            user.set_unusable_password()
            new.append(user)
    User.objects.bulk_create(new)
    users.update((user.username, user) for user in new)
    return users
