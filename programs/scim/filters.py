"""SCIM filters as database queries: the filter tree scim2-models parses, turned into a Q.

Only attributes stored in a column can be filtered on; anything else is refused with
400 invalidFilter rather than answered from a full scan.
"""

import uuid
from dataclasses import dataclass

from django.db.models import Q
from scim2_models import InvalidFilterException, ScimFilter
from scim2_models.path import CompareOperator, FilterVisitor, LogicalOperator, coerce_value

from programs.scim.resources import ENTERPRISE_SCHEMA, PAIRWISE_SCHEMA, Person

CORE = "urn:ietf:params:scim:schemas:core:2.0:User"

# Nothing and everything: a comparison decided without the database (emails.type is
# always "work") still has to combine with the others.
NOTHING = Q(pk__in=[])
EVERYTHING = ~NOTHING


@dataclass(frozen=True)
class Column:
    lookup: str
    # Strings compared without case are stored lower-cased (emails) or compared with the
    # i-lookups; a case-exact one (externalId) is compared as sent.
    kind: str = "text"  # text | email | exact | uuid | number | boolean


COLUMNS = {
    f"{CORE}:id": Column("scim_id", "uuid"),
    f"{CORE}:externalId": Column("scim_external_id", "exact"),
    f"{CORE}:userName": Column("email", "email"),
    f"{CORE}:emails": Column("email", "email"),
    f"{CORE}:emails.value": Column("email", "email"),
    f"{CORE}:displayName": Column("name"),
    f"{CORE}:title": Column("title"),
    f"{CORE}:active": Column("user__is_active", "boolean"),
    f"{ENTERPRISE_SCHEMA}:department": Column("department"),
    f"{ENTERPRISE_SCHEMA}:manager.value": Column("manager__scim_id", "uuid"),
    f"{PAIRWISE_SCHEMA}:level": Column("level", "number"),
}

TEXT_LOOKUPS = {
    CompareOperator.eq: "iexact",
    CompareOperator.co: "icontains",
    CompareOperator.sw: "istartswith",
    CompareOperator.ew: "iendswith",
}
EXACT_LOOKUPS = {
    CompareOperator.eq: "exact",
    CompareOperator.co: "contains",
    CompareOperator.sw: "startswith",
    CompareOperator.ew: "endswith",
}
ORDER_LOOKUPS = {
    CompareOperator.gt: "gt",
    CompareOperator.ge: "gte",
    CompareOperator.lt: "lt",
    CompareOperator.le: "lte",
}


def _unsupported(what: str) -> InvalidFilterException:
    return InvalidFilterException(detail=f"Filtering on {what} is not supported.")


def _compare(column: Column, op: CompareOperator, value) -> Q:
    if op == CompareOperator.ne:
        return ~_compare(column, CompareOperator.eq, value)
    if column.kind == "uuid":
        if op != CompareOperator.eq:
            raise _unsupported(f"an id with '{op.value}'")
        try:
            return Q(**{column.lookup: uuid.UUID(str(value))})
        except ValueError:
            return NOTHING  # no resource has an id that is not one of ours
    if column.kind in ("number", "boolean"):
        lookup = "exact" if op == CompareOperator.eq else ORDER_LOOKUPS.get(op)
        if lookup is None or (column.kind == "boolean" and lookup != "exact"):
            raise _unsupported(f"'{op.value}' on a {column.kind}")
        return Q(**{f"{column.lookup}__{lookup}": value})
    if op in ORDER_LOOKUPS:
        raise _unsupported(f"'{op.value}' on text")
    if column.kind == "email":
        # Stored lower-cased, so one case-folded comparison serves every database.
        return Q(**{f"{column.lookup}__{EXACT_LOOKUPS[op]}": str(value).lower()})
    lookups = EXACT_LOOKUPS if column.kind == "exact" else TEXT_LOOKUPS
    return Q(**{f"{column.lookup}__{lookups[op]}": value})


def _present(column: Column) -> Q:
    if column.kind in ("number", "boolean"):
        return Q(**{f"{column.lookup}__isnull": False})
    if column.kind == "uuid":
        return Q(**{f"{column.lookup}__isnull": False})
    return ~Q(**{column.lookup: ""})


class _EmailEntry(FilterVisitor[Q]):
    """The inner filter of emails[...]: the one entry is the work email, primary."""

    def visit_comparison(self, node):
        attr = node.attr_path.attr.lower()
        if attr == "value":
            return _compare(COLUMNS[f"{CORE}:emails.value"], node.op, node.value)
        if attr == "type" and node.op in (CompareOperator.eq, CompareOperator.ne):
            matches = str(node.value).lower() == "work"
        elif attr == "primary" and node.op in (CompareOperator.eq, CompareOperator.ne):
            matches = node.value is True
        else:
            raise _unsupported(f"emails.{node.attr_path.attr} with '{node.op.value}'")
        if node.op == CompareOperator.ne:
            matches = not matches
        return EVERYTHING if matches else NOTHING

    def visit_present(self, node):
        return EVERYTHING

    def visit_not(self, node):
        return ~self.visit(node.expr)

    def visit_logical_expr(self, node):
        return _combine(node, self.visit)

    def visit_value_path(self, node):
        raise _unsupported("a value selection inside another")


def _combine(node, visit) -> Q:
    terms = [visit(term) for term in node.terms]
    combined = terms[0]
    for term in terms[1:]:
        combined = combined & term if node.op == LogicalOperator.and_ else combined | term
    return combined


class _ToQ(FilterVisitor[Q]):
    def __init__(self, scim_filter: ScimFilter):
        self.filter = scim_filter

    def _column(self, resolved) -> Column:
        column = COLUMNS.get(resolved.urn) if resolved is not None else None
        if column is None:
            raise _unsupported(resolved.urn if resolved is not None else "that attribute")
        return column

    def visit_comparison(self, node):
        resolved = self.filter.resolve_comparison(node.attr_path)
        column = self._column(resolved)
        value = coerce_value(resolved, node.value, node.op)
        return _compare(column, node.op, value)

    def visit_present(self, node):
        return _present(self._column(self.filter.resolve(node.attr_path)))

    def visit_not(self, node):
        return ~self.visit(node.expr)

    def visit_logical_expr(self, node):
        return _combine(node, self.visit)

    def visit_value_path(self, node):
        resolved = self.filter.resolve(node.attr_path)
        if resolved is None or resolved.urn != f"{CORE}:emails":
            raise _unsupported(f"{node.attr_path}[...]")
        return _EmailEntry().visit(node.val_filter)


def filter_to_q(scim_filter: ScimFilter) -> Q:
    """The employees a parsed, validated filter selects (raises InvalidFilterException)."""
    return _ToQ(scim_filter).visit(scim_filter.ast)


def parse_filter(text: str) -> ScimFilter:
    return ScimFilter[Person](text)
