"""Every input answered: schemathesis builds requests from the API's own OpenAPI schema
(`/api/schema/`, loaded from the app under test) for every operation, as a Community
Coordinator of the family's site, as an outsider (a coordinator of another site) and
anonymously, and no answer may be a 5xx.

It runs in-process against the WSGI app, inside the test's transaction, so the ids of the
family of tests/test_api.py exist: about half of the ids and `?case=` / `?child=` filters the
fuzzer generates are swapped (deterministically) for the family's real ones, so requests reach
the records and not only the 404s. Seeded and derandomized: the same requests every run.
"""

import datetime as dt
import zlib

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig

from safebabies.identity.models import ApiToken
from tests import factories as f

pytestmark = pytest.mark.django_db

# Examples per operation and generation mode (positive: what the schema allows; negative: what
# it does not), by persona. The outsider and the anonymous caller are refused early (404, 401),
# so fewer of theirs find anything new; the sign-in endpoint is open to the anonymous caller.
# The whole module runs in about two minutes on the 2-core CI machine (README "Tests").
EXAMPLES = {"coordinator": 3, "outsider": 1, "anonymous": 1}
OPEN_TO_ANONYMOUS = {"/api/v1/auth/token/": 8}
CONFIG = {"seed": 18, "generation": {"database": "none"}}

# The path's first segment -> the attribute of `records` (tests/factories.py) of that kind.
KINDS = f.API_RECORD_ATTRS
# An id in a request body -> the attribute of `records` it names.
BODY_IDS = {
    "case_id": "case",
    "child_id": "child",
    "ftm_id": "ftm",
    "parent_id": "parent",
    "person_id": "parent",
    "owner_person_id": "parent",
    "caregiver_id": "parent",
}
PERSONAS = ["coordinator", "outsider", "anonymous"]


def bearer(user) -> dict[str, str]:
    raw, key_hash = ApiToken.new_key()
    ApiToken.objects.create(
        user=user, key_hash=key_hash, expires_at=timezone.now() + dt.timedelta(days=1)
    )
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture(params=PERSONAS)
def persona(request):
    return request.param


@pytest.fixture
def world(family, coordinator, outsider, persona):
    records = f.add_records(family, family.test_child, family.test_parent, family.test_episode)
    users = {"coordinator": coordinator, "outsider": outsider}
    headers = bearer(users[persona]) if persona in users else {}
    return records, headers, bearer(coordinator)


@pytest.fixture
def keep_the_test_connection():
    """As Django's test client does: the WSGI handler would close the database connection at
    the end of each request, and with it the test's transaction."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(world, keep_the_test_connection):
    _records, _headers, schema_headers = world
    return schemathesis.openapi.from_wsgi(
        "/api/schema/",
        get_wsgi_application(),
        headers=schema_headers,
        config=SchemathesisConfig.from_dict(CONFIG),
    )


def _real(value, real_id):
    """The family's id for about half of the generated values (chosen by the value's hash, so
    the same every run)."""
    if real_id is None or not isinstance(value, str):
        return value
    return real_id if zlib.crc32(value.encode("utf-8", "surrogatepass")) % 2 == 0 else value


def use_real_ids(case, records) -> None:
    kind = case.operation.path.removeprefix("/api/v1/").split("/")[0]
    record = getattr(records, KINDS[kind], None) if kind in KINDS else None
    for name, value in list((case.path_parameters or {}).items()):
        if name in ("id", "case_id", "hearing_id") and record is not None:
            case.path_parameters[name] = _real(value, record.id)
    for name, record in (("case", records.case), ("child", records.child)):
        if case.query and name in case.query:
            case.query[name] = _real(case.query[name], record.id)
    if isinstance(case.body, dict):
        for name, attribute in BODY_IDS.items():
            if name in case.body:
                case.body[name] = _real(case.body[name], getattr(records, attribute).id)


def test_no_request_gets_a_server_error(api_schema, world, persona):
    """Every operation, positive and negative examples: no 5xx. The 5xx are gathered (not
    raised inside Hypothesis, so nothing is shrunk) and listed together at the end."""
    records, headers, _ = world
    server_errors: list[str] = []
    examples = 0

    for result in api_schema.get_all_operations():
        operation = result.ok()
        examples_each = EXAMPLES[persona]
        if persona == "anonymous":
            examples_each = OPEN_TO_ANONYMOUS.get(operation.path, examples_each)
        for mode in GenerationMode:

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=examples_each,
                derandomize=True,
                deadline=None,
                database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            def run(case):
                nonlocal examples
                use_real_ids(case, records)
                response = case.call(headers=headers)
                examples += 1
                if response.status_code >= 500:
                    server_errors.append(
                        f"{response.status_code} {case.method} {case.formatted_path}"
                        f" query={case.query!r} body={str(case.body)[:200]!r}"
                    )

            run()

    print(f"{persona}: {examples} requests")
    assert not server_errors, "\n".join(server_errors)


def test_a_nul_in_any_id_or_query_parameter_is_never_a_server_error(api_schema, world, client):
    """The class of input the examples above rarely draw (9 of the 500s of issue 18 were
    this): a NUL in each path id and in each string query parameter of every operation, one
    at a time. PostgreSQL refuses NUL in text."""
    records, headers, _ = world
    auth = {"HTTP_AUTHORIZATION": headers["Authorization"]} if headers else {}
    client.raise_request_exception = False  # a 500 is an answer to list, not an error here
    server_errors = []
    for path, operations in api_schema.raw_schema["paths"].items():
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            parameters = operation.get("parameters", [])
            path_ids = [p["name"] for p in parameters if p["in"] == "path"]
            real = path
            for name in path_ids:
                real = real.replace("{" + name + "}", records.case.id)
            tries = [(path.replace("{" + name + "}", "x%00y"), "") for name in path_ids]
            tries += [
                (real, f"{p['name']}=x%00y")
                for p in parameters
                if p["in"] == "query" and p.get("schema", {}).get("type") == "string"
            ]
            for name in path_ids:
                tries = [(url.replace("{" + name + "}", records.case.id), q) for url, q in tries]
            for url, query in tries:
                response = client.generic(method.upper(), url, QUERY_STRING=query, **auth)
                if response.status_code >= 500:
                    server_errors.append(f"{response.status_code} {method.upper()} {url}?{query}")
    assert not server_errors, "\n".join(server_errors)
