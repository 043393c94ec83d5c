"""OpenAPI post-processing: every operation documents the errors it can answer with.

All errors share one body (see exceptions.py), so the schema gets one ``Error`` component
and each operation the statuses that apply to it: 400 for operations that read a body or
query, 401/403 for authenticated ones, 404 for those addressing an object by id or naming
one in the query and for paginated lists (a page past the end), 409 for writes and for
operations on one object (its state may not allow it), and 415 where a body is read.
"""

from drf_spectacular.openapi import AutoSchema

ERROR_REF = {"$ref": "#/components/schemas/Error"}


class CoverdeskAutoSchema(AutoSchema):
    """Documents 429 on every operation whose view is throttled."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if getattr(self.view, "throttle_classes", None):
            responses.setdefault(
                "429",
                {
                    "description": "Too many requests from this address; retry after the "
                    "number of seconds in Retry-After.",
                    "content": {"application/json": {"schema": ERROR_REF}},
                },
            )
        return responses


ERROR_SCHEMA = {
    "type": "object",
    "required": ["code", "message", "fields"],
    "properties": {
        "code": {"type": "string", "description": "Stable, machine-readable error code."},
        "message": {"type": "string", "description": "Human message, in the request's language."},
        "fields": {
            "type": "object",
            "additionalProperties": True,
            "description": "Per-field errors: field name to messages (nested for nested input).",
        },
    },
    "additionalProperties": True,
}

_DESCRIPTIONS = {
    "400": "Malformed JSON or invalid input; `fields` names each problem.",
    "401": "No credentials, or a wrong, expired or revoked API key.",
    "403": "Authenticated, but not allowed to use this operation.",
    "404": "No such object (or it belongs to another merchant), or no such page.",
    "409": "Not in a state that allows this now (`invalid_transition`, `claim_open`, "
    "`contract_not_payable`, ...), or changed by someone else at the same moment "
    "(`concurrent_update`): reload and decide again.",
    "415": "The body is not `application/json`.",
}
# Query parameters that name another object: an unknown one is a 404 (e.g. `?merchant=`).
_OBJECT_PARAMETERS = {"merchant", "queue", "contract"}


def _error(status: str) -> dict:
    return {
        "description": _DESCRIPTIONS[status],
        "content": {"application/json": {"schema": ERROR_REF}},
    }


def add_error_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path, methods in result.get("paths", {}).items():
        for method, operation in methods.items():
            responses = operation.setdefault("responses", {})
            statuses = ["400"]
            if operation.get("security") != [{}] and operation.get("security") is not None:
                statuses += ["401", "403"]
            names = {p.get("name") for p in operation.get("parameters", [])}
            if "{" in path or "page" in names or names & _OBJECT_PARAMETERS:
                statuses.append("404")
            # A write can find its object moved on (a transition's source state) or be
            # overtaken by a concurrent one; so can a read of what an object would do next.
            if method in {"post", "put", "patch", "delete"} or "{" in path:
                statuses.append("409")
            if method in {"post", "put", "patch"}:
                statuses.append("415")
            for status in statuses:
                responses.setdefault(status, _error(status))
            for status, response in responses.items():
                # An error a view documents itself (a webhook's 401): the one error body.
                if str(status).startswith("4") and "content" not in response:
                    response["content"] = {"application/json": {"schema": ERROR_REF}}
    return result
