"""The OpenAPI 3.1 document of ``/api/v1``, written as data (a test checks every API route is described here, and
schemathesis checks the API against it)."""
from __future__ import annotations

from typing import Any

from .checks import MAX_ROWS, RESULT_LABELS

NULLABLE_STRING = {"type": ["string", "null"]}
DATE = {"type": "string", "format": "date"}

_ERROR = {"$ref": "#/components/schemas/Error"}
#: on every answer to a token's request: the limit nearest to being reached (or the one hit)
RATE_LIMIT_HEADERS = {
    "RateLimit-Limit": {"description": "Look-ups allowed in the limit's window", "schema": {"type": "string"}},
    "RateLimit-Remaining": {"description": "Look-ups left in the window", "schema": {"type": "string"}},
    "RateLimit-Reset": {"description": "Seconds until the window resets", "schema": {"type": "string"}},
}


def _error(description: str, *, retry: bool = False) -> dict[str, Any]:
    response: dict[str, Any] = {"description": description, "content": {"application/json": {"schema": _ERROR}}}
    if retry:
        response["headers"] = {
            "Retry-After": {"description": "Seconds to wait before trying again", "schema": {"type": "string"}},
            **RATE_LIMIT_HEADERS}
    return response


def _ok(description: str, schema: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}


UNAUTHORISED = _error("No token, or a token that is unknown or revoked")
MALFORMED = _error("A request that cannot be read (for example, bytes that are not UTF-8 text)")
RATE_LIMITED = _error("Too many look-ups for this token: its limit per minute or hour (error code rate_limited), or "
                      "its daily quota (daily_quota_exceeded, with resets_at: when the quota resets)", retry=True)

SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {"error": {
            "type": "object",
            "required": ["status", "code", "message"],
            "properties": {"status": {"type": "integer"}, "code": {"type": "string"},
                           "message": {"type": "string"},
                           "resets_at": {"type": "string", "format": "date-time",
                                         "description": "When a daily quota resets (daily_quota_exceeded only)"}},
        }},
    },
    "CertificateStatus": {
        "type": "object",
        "description": "What anyone may know about a certificate: nothing more than the public verification page.",
        "required": ["code", "status", "status_date", "award", "kind", "holder_name", "issued_on", "superseded_by",
                     "verify_url"],
        "properties": {
            "code": {"type": "string", "examples": ["EPP-7KQ4-MX9D-2W"]},
            "status": {"type": "string", "enum": ["valid", "suspended", "revoked", "superseded"]},
            "status_date": {"type": ["string", "null"], "format": "date",
                            "description": "When it was suspended, revoked or superseded"},
            "award": {"type": "string"},
            "kind": {"type": "string", "enum": ["stage", "award"],
                     "description": "award: the expert child protection practitioner award"},
            "holder_name": {"type": "string"},
            "issued_on": DATE,
            "superseded_by": {**NULLABLE_STRING, "description": "The code of the certificate that replaced it"},
            "verify_url": {"type": "string", "format": "uri"},
        },
    },
    "Accreditation": {
        "type": "object",
        "required": ["swe_number", "holder_name", "accreditation", "certificates"],
        "properties": {
            "swe_number": {"type": "string"},
            "holder_name": {"type": "string"},
            "accreditation": {
                "type": "object",
                "description": "The highest stage with a valid certificate, and whether a valid expert award is held",
                "required": ["stage", "stage_code", "expert"],
                "properties": {"stage": NULLABLE_STRING, "stage_code": NULLABLE_STRING, "expert": {"type": "boolean"}},
            },
            "certificates": {"type": "array", "items": {"$ref": "#/components/schemas/CertificateStatus"}},
        },
    },
    "CheckRequest": {
        "type": "object",
        "required": ["swe_numbers"],
        "additionalProperties": False,
        "properties": {"swe_numbers": {"type": "array", "minItems": 1, "maxItems": MAX_ROWS,
                                       "items": {"type": "string", "maxLength": 100},
                                       "examples": [["SW123456", "SW654321"]]}},
    },
    "CheckResult": {
        "type": "object",
        "required": ["row", "given", "swe_number", "result", "message", "duplicate_of", "accreditation"],
        "properties": {
            "row": {"type": "integer", "description": "Position in the list sent, from 1"},
            "given": {"type": "string"},
            "swe_number": {**NULLABLE_STRING, "description": "The number normalised (null when it is not one)"},
            "result": {"type": "string", "enum": list(RESULT_LABELS)},
            "message": {"type": "string"},
            "duplicate_of": {"type": ["integer", "null"], "description": "The earlier row with the same number"},
            "accreditation": {"oneOf": [{"$ref": "#/components/schemas/Accreditation"}, {"type": "null"}]},
        },
    },
    "CheckResponse": {
        "type": "object",
        "required": ["count", "summary", "results"],
        "properties": {
            "count": {"type": "integer"},
            "summary": {"type": "object", "required": list(RESULT_LABELS),
                        "properties": {name: {"type": "integer"} for name in RESULT_LABELS}},
            "results": {"type": "array", "items": {"$ref": "#/components/schemas/CheckResult"}},
        },
    },
    "OrganisationCertificates": {
        "type": "object",
        "required": ["certificates", "next"],
        "properties": {
            "certificates": {"type": "array", "items": {"allOf": [
                {"$ref": "#/components/schemas/CertificateStatus"},
                {"type": "object", "required": ["swe_number", "stage_code"],
                 "properties": {"swe_number": {"type": "string"}, "stage_code": {"type": "string"}}},
            ]}},
            "next": {**NULLABLE_STRING, "description": "Pass as `after` for the next page (null on the last)"},
        },
    },
}


def _path_parameter(name: str, description: str, max_length: int) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "description": description,
            "schema": {"type": "string", "minLength": 1, "maxLength": max_length}}


PATHS: dict[str, Any] = {
    "/openapi.json": {"get": {
        "operationId": "getOpenApiDocument", "summary": "This document", "security": [],
        "responses": {"200": {"description": "The OpenAPI document",
                              "content": {"application/json": {"schema": {"type": "object"}}}}},
    }},
    "/certificates/{code}": {"get": {
        "operationId": "getCertificate", "summary": "The status of one certificate",
        "description": "Codes are forgiving: lower case, spaces and a missing EPP prefix are accepted.",
        "parameters": [_path_parameter("code", "The certificate code, like EPP-7KQ4-MX9D-2W", 60)],
        "responses": {"200": _ok("The certificate's public status", "CertificateStatus"), "400": MALFORMED,
                      "401": UNAUTHORISED,
                      "404": _error("No certificate has this code (error code not_found), or it is not a certificate "
                                    "code at all (invalid_code; the message says why)"), "429": RATE_LIMITED},
    }},
    "/practitioners/{swe_number}/accreditation": {"get": {
        "operationId": "getAccreditation", "summary": "A social worker's accreditation and certificates",
        "parameters": [_path_parameter("swe_number", "Social Work England registration number, like SW123456",
                                       20)],
        "responses": {"200": _ok("The accreditation stage and every certificate's status", "Accreditation"),
                      "400": MALFORMED, "401": UNAUTHORISED,
                      "404": _error("No certificates for this number (no_certificates), or it is not a registration "
                                    "number (invalid_swe_number)"), "429": RATE_LIMITED},
    }},
    "/accreditation-checks": {"post": {
        "operationId": "checkAccreditations", "summary": f"Check up to {MAX_ROWS:,} registration numbers at once",
        "description": "One result per item, in order. Numbers that are not registration numbers and repeats of "
                       "an earlier item are reported as such, never dropped. Each item counts as one look-up "
                       "against the token's rate limit and daily quota.",
        "requestBody": {"required": True, "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/CheckRequest"}}}},
        "responses": {"200": _ok("The results", "CheckResponse"), "400": MALFORMED, "401": UNAUTHORISED,
                      "422": _error(f"Not a list of 1 to {MAX_ROWS:,} numbers"), "429": RATE_LIMITED},
    }},
    "/organisations/{org_code}/certificates": {"get": {
        "operationId": "listOrganisationCertificates",
        "summary": "Certificates of the practitioners your organisation employs (your own organisation only)",
        "parameters": [
            _path_parameter("org_code", "Your organisation's short code", 20),
            {"name": "limit", "in": "query", "required": False,
             "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 50}},
            {"name": "after", "in": "query", "required": False, "description": "The `next` value of the last page",
             "schema": {"type": "string", "maxLength": 200, "pattern": "^[A-Za-z0-9_-]*$"}},
        ],
        "responses": {"200": _ok("A page of certificates, newest first", "OrganisationCertificates"),
                      "400": MALFORMED, "401": UNAUTHORISED, "403": _error("The token belongs to another organisation"),
                      "422": _error("limit is not from 1 to 100"), "429": RATE_LIMITED},
    }},
}


def openapi_document(server_url: str) -> dict[str, Any]:
    """The document, with ``server_url`` (``https://…/api/v1``) as its server."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Expert practitioner pathway: accreditation API",
            "version": "1.0.0",
            "description": "Check certificates and the accreditation of registered social workers from an HR system. "
                           "Ask your organisation's employer admin for an API token (Administration > your "
                           "organisation > API tokens) and send it as `Authorization: Bearer <token>`. Look-ups are "
                           "rate-limited per token: each number or code looked up counts (a bulk check of 1,000 "
                           "numbers is 1,000 look-ups), per minute, per hour and per day (the daily quota). Every "
                           "answer carries RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset headers. Errors "
                           "are JSON objects with a status, a stable code and a message.",
        },
        "servers": [{"url": server_url}],
        "security": [{"bearerToken": []}],
        "paths": PATHS,
        "components": {
            "securitySchemes": {"bearerToken": {"type": "http", "scheme": "bearer",
                                                "description": "An organisation's API token (epp_…)"}},
            "schemas": SCHEMAS,
        },
    }
