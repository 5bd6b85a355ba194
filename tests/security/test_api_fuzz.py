"""Finding 5: every operation of the OpenAPI schema, fuzzed (schemathesis) with valid and
malformed input as one agent and as one end user, answers without a server error.

Bounded: a few examples per operation and mode (FUZZ_EXAMPLES), derandomized under CI like the
hypothesis profile in tests/conftest.py, so a red build replays the same requests.
"""

from __future__ import annotations

import contextlib
import os
import re

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from rest_framework.test import APIClient
from schemathesis import GenerationMode

from servicedesk.models import Role
from servicedesk.tokens import token_issue
from tests.factories import TicketFactory, UserFactory

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3"))
# Malformed values tried in every path parameter of every operation, whatever the fuzzer drew.
MALFORMED = ["null,null", "null", "-1", "1.5", "0x10", "9" * 30, "%00", "%ED%A0%80", "1e3"]


@pytest.fixture
def schema(db):
    # In-process WSGI: requests run inside the test's transaction. Django's own test client
    # keeps request signals from closing that connection; so must we.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_a_malformed_ticket_id_in_an_attachment_path_is_404(agent):
    client = APIClient()
    client.force_authenticate(agent)

    response = client.get("/api/tickets/null,null/attachments/0/content/")

    assert response.status_code == 404


@pytest.mark.timeout(600)
@pytest.mark.parametrize("role", [Role.FIRST_LINE, Role.END_USER])
def test_no_operation_of_the_api_answers_with_a_server_error(schema, role, first_line_group):
    user = UserFactory(role=role)
    TicketFactory(caller=user, assignment_group=first_line_group)  # something to find
    _token, key = token_issue(user=user, lifetime=None)
    headers = {"Authorization": f"Token {key}"}
    failures: list[str] = []

    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path == "/api/auth/token/":
            continue  # throttled by design (429); covered by tests/security/test_login_throttle.py
        for mode, examples in ((GenerationMode.POSITIVE, EXAMPLES), (GenerationMode.NEGATIVE, 2 * EXAMPLES)):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=examples,
                deadline=None,
                derandomize=bool(os.environ.get("CI")),
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def call(case):
                response = case.call(headers=headers)
                if response.status_code >= 500:
                    failures.append(f"{response.status_code} {case.as_curl_command()}")

            # Unsatisfiable: nothing in the operation to make invalid (no parameters, no body).
            with contextlib.suppress(Unsatisfiable):
                call()

    assert not failures, "\n".join(failures[:20])


@pytest.mark.parametrize("role", [Role.FIRST_LINE, Role.END_USER])
def test_every_path_parameter_answers_404_or_400_on_a_malformed_value(schema, role, api_for):
    client = api_for(UserFactory(role=role))
    answers: dict[str, int] = {}

    for result in schema.get_all_operations():
        operation = result.ok()
        names = re.findall(r"{(\w+)}", operation.path)
        for name in names:
            for value in MALFORMED:
                path = operation.path
                for other in names:
                    path = path.replace("{" + other + "}", value if other == name else "1")
                response = getattr(client, operation.method.lower())(path, {}, format="json")
                answers[f"{operation.method.upper()} {path}"] = response.status_code

    wrong = {call: code for call, code in answers.items() if code not in (400, 403, 404, 405)}
    assert not wrong, wrong
