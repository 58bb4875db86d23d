"""What identity providers send, made to fit the published schema before validation.

Entra ID and Okta send their default attribute mappings whatever the service provider
publishes: name parts, phone numbers, addresses, the enterprise employeeNumber, a manager
as a bare id. Refusing those would stop every sync, so attributes Pairwise does not keep
are dropped here, and the few it can use are rewritten into the ones it publishes
(docs/scim.md lists them). What remains is validated strictly by scim2-models.
"""

import json
import uuid

from programs.scim.resources import ENTERPRISE_SCHEMA, PAIRWISE_SCHEMA

CORE_ATTRIBUTES = {"schemas", "id", "externalid", "meta", "username", "displayname", "title"}
CORE_ATTRIBUTES |= {"active", "emails"}
EXTENSION_ATTRIBUTES = {
    ENTERPRISE_SCHEMA.lower(): {"department", "manager"},
    PAIRWISE_SCHEMA.lower(): {"level"},
}
CANONICAL = {schema.lower(): schema for schema in (ENTERPRISE_SCHEMA, PAIRWISE_SCHEMA)}
# The body of one request; a user is a few hundred bytes.
MAX_BODY = 256 * 1024


class BadPayload(ValueError):
    """The body is not a JSON object (400 invalidSyntax)."""


def uuid_or_none(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def body(request) -> dict:
    if len(request.body) > MAX_BODY:
        raise BadPayload("The body is too large.")
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError) as error:
        raise BadPayload(f"The body is not JSON: {error}") from error
    if not isinstance(data, dict):
        raise BadPayload("The body must be a JSON object.")
    return data


def _name_of(name) -> str | None:
    """A full name from the SCIM name attribute, for a payload without displayName."""
    if not isinstance(name, dict):
        return None
    lowered = {str(key).lower(): value for key, value in name.items()}
    if isinstance(lowered.get("formatted"), str) and lowered["formatted"].strip():
        return lowered["formatted"]
    parts = [lowered.get("givenname"), lowered.get("familyname")]
    joined = " ".join(part for part in parts if isinstance(part, str) and part.strip())
    return joined or None


def _manager(value):
    # Entra ID sends the manager as the bare id, RFC 7643 as {"value": id}.
    return {"value": value} if isinstance(value, str) else value


def _resource(payload: dict) -> dict:
    kept = {}
    display_name = None
    for key, value in payload.items():
        lowered = str(key).lower()
        if lowered in CORE_ATTRIBUTES:
            kept[key] = value
        elif lowered in EXTENSION_ATTRIBUTES and isinstance(value, dict):
            allowed = EXTENSION_ATTRIBUTES[lowered]
            extension = kept.setdefault(CANONICAL[lowered], {})
            for attribute, attribute_value in value.items():
                name = str(attribute).lower()
                if name in allowed:
                    extension[name] = (
                        _manager(attribute_value) if name == "manager" else attribute_value
                    )
        elif lowered == "name":
            display_name = _name_of(value)
        else:
            # "<extension URN>:<attribute>" as a key (Entra ID's PATCH without a path).
            for schema, allowed in EXTENSION_ATTRIBUTES.items():
                attribute = lowered.removeprefix(schema + ":")
                if attribute != lowered and attribute in allowed:
                    extension = kept.setdefault(CANONICAL[schema], {})
                    extension[attribute] = _manager(value) if attribute == "manager" else value
    if display_name and not any(str(key).lower() == "displayname" for key in kept):
        kept["displayName"] = display_name
    return kept


def _with_defaults(payload: dict, *, level: int) -> dict:
    kept = _resource(payload)
    # Entra ID and Okta always send active; someone created without it is active.
    if not any(str(key).lower() == "active" for key in kept):
        kept["active"] = True
    # Identity providers send the level only once it is mapped (docs/scim.md).
    extension = next((key for key in kept if str(key).lower() == PAIRWISE_SCHEMA.lower()), None)
    if extension is None:
        kept[PAIRWISE_SCHEMA] = {"level": level}
    elif not any(str(key).lower() == "level" for key in kept[extension]):
        kept[extension] = {**kept[extension], "level": level}
    return kept


def for_creation(payload: dict, *, default_level: int) -> dict:
    return _with_defaults(payload, level=default_level)


def for_replacement(payload: dict, *, current_level: int) -> dict:
    return _with_defaults(payload, level=current_level)


def _operation(operation) -> dict | None:
    """The operation as Pairwise can apply it, or None when it names nothing we keep."""
    if not isinstance(operation, dict):
        return operation  # let validation say what is wrong with it
    path = operation.get("path")
    value = operation.get("value")
    if path is None:
        if isinstance(value, dict):
            value = _resource(value)
            return {**operation, "value": value} if value else None
        return operation
    if not isinstance(path, str):
        return operation
    lowered = path.lower()
    if lowered in ("name.formatted", "name"):
        if lowered == "name":
            value = _name_of(value)
        return {**operation, "path": "displayName", "value": value} if value else None
    if lowered.startswith("name.") or lowered.startswith("emails"):
        return None  # name parts make no full name alone; emails follow userName
    for schema, allowed in EXTENSION_ATTRIBUTES.items():
        if lowered == schema:
            if isinstance(value, dict):
                value = _resource({schema: value}).get(CANONICAL[schema], {})
                return {**operation, "value": value}
            return operation
        if lowered.startswith(schema + ":"):
            attribute = lowered[len(schema) + 1 :].split(".")[0]
            if attribute not in allowed:
                return None
            if attribute == "manager" and lowered.endswith(":manager"):
                return {**operation, "value": _manager(value)}
            return operation
    attribute = lowered.split("[")[0].split(".")[0]
    if attribute not in CORE_ATTRIBUTES:
        return None
    return operation


def for_patch(payload: dict) -> dict:
    operations = payload.get("Operations")
    if not isinstance(operations, list):
        return payload
    kept = [op for op in (_operation(operation) for operation in operations) if op is not None]
    return {**payload, "Operations": kept}
