"""Schemathesis, inside the suite and offline: it reads /api/v1/openapi.json from the WSGI app, generates requests
for every operation (data that fits the document, and data that does not), sends them with a real token and checks
each response against the document (status codes, content types, headers, bodies) and for server errors.

Schemathesis's own pytest plugin (``schemathesis.pytest.from_fixture``) does not run under pytest 9.2 yet, so each
operation's Hypothesis strategy is driven here directly, which is what the plugin does.
"""
from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.generation.modes import GenerationMode

from portal.certificates.openapi import PATHS
from portal.db import session

#: every operation with data that fits; and, where it takes input, data that does not
CASES = [(path, method, mode) for path, item in PATHS.items() for method, operation in item.items()
         for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
         if mode == GenerationMode.POSITIVE or operation.get("parameters") or operation.get("requestBody")]


@pytest.fixture
def bearer(people: dict[str, Any], issue: Any) -> dict[str, str]:
    """A token of North, with certificates in the register."""
    from portal.certificates.tokens import create_token
    from portal.users.models import Organisation

    issue("Y1")
    issue("Y1", who="other")
    _, secret = create_token(session().get(Organisation, people["north"].id), name="schemathesis", by=None)
    session().commit()
    return {"Authorization": f"Bearer {secret}"}


@pytest.mark.parametrize("path, method, mode", CASES, ids=[f"{m.upper()} {p} {g.value}" for p, m, g in CASES])
def test_the_api_matches_its_openapi_document(app: Any, bearer: dict[str, str], path: str, method: str,
                                             mode: GenerationMode) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operation = schema[path][method]
    checked = []

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=30, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def check(case: Any) -> None:
        case.call_and_validate(headers=bearer)
        checked.append(case)

    check()
    assert checked
