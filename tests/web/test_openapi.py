"""The OpenAPI document is valid and says what the endpoints really return."""

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from search.config import LIMITS


@pytest.fixture(scope="module")
def spec(client):
    return client.get("/api/openapi.json").get_json()


def _check(spec, path: str, response) -> None:
    """The response's body against the schema the document gives for its path and status."""
    template = path.split("?")[0]
    if template.startswith("/api/documents/"):
        template = "/api/documents/{id}"
    declared = spec["paths"][template]["get"]["responses"][str(response.status_code)]
    schema = declared["content"]["application/json"]["schema"]
    validator = Draft202012Validator({**schema, "components": spec["components"]})
    errors = [error.message for error in validator.iter_errors(response.get_json())]
    assert not errors, f"{path}: {errors}"


def test_document_is_valid_openapi(spec):
    validate(spec)
    assert spec["openapi"].startswith("3.")


CALLS = [
    "/api/search?q=部门",
    "/api/search?q=部门&source=示例日报&from=2024-01-01&to=2024-12-31&sort=newest&page=1&size=5",
    "/api/search?q=部门&range=week&category=经济",
    "/api/search?q=写作",
    '/api/search?q="',
    "/api/search?q=北京&size=0",
    "/api/suggest?q=guangzhou",
    "/api/suggest?q=东西部&limit=5",
    "/api/suggest?q=x&limit=0",
    "/api/documents/demo-001",
    "/api/documents/no-such-id",
    "/api/stats",
    "/healthz",
]


@pytest.mark.parametrize("path", CALLS)
def test_responses_match_the_document(client, spec, path):
    _check(spec, path, client.get(path))


# Checked against the document over real HTTP in tests/web/test_writes.py.
WRITE_CALLS = {
    ("/api/documents/{id}", "put"),
    ("/api/documents/{id}", "delete"),
    ("/api/documents", "post"),
    ("/api/documents/delete", "post"),
    ("/api/tasks/{seq}", "get"),
    ("/api/synonyms", "get"),  # with the synonyms' tests in tests/web/test_writes.py
    ("/api/synonyms", "put"),
    ("/api/analytics/top", "get"),  # in tests/web/test_analytics_http.py
    ("/api/analytics/no-results", "get"),
}


def test_every_documented_operation_is_exercised(spec):
    exercised = {call.split("?")[0] for call in CALLS} | {"/api/openapi.json"}
    exercised = {"/api/documents/{id}" if p.startswith("/api/documents/") else p for p in exercised}
    documented = {(path, method) for path, item in spec["paths"].items() for method in item}
    assert documented == {(path, "get") for path in exercised} | WRITE_CALLS


def test_writes_are_documented_as_needing_a_key(spec):
    assert spec["components"]["securitySchemes"]["key"]["scheme"] == "bearer"
    for path, method in WRITE_CALLS - {("/api/tasks/{seq}", "get"), ("/api/synonyms", "get")}:
        assert spec["paths"][path][method]["security"] == [{"key": []}]


def test_documented_bounds_are_the_enforced_ones(client, spec):
    params = {p["name"]: p["schema"] for p in spec["paths"]["/api/search"]["get"]["parameters"]}
    assert params["size"]["maximum"] == LIMITS.max_page_size
    assert client.get(f"/api/search?q=a&size={LIMITS.max_page_size}").status_code == 200
    assert client.get(f"/api/search?q=a&size={LIMITS.max_page_size + 1}").status_code == 400
    assert params["page"]["maximum"] == LIMITS.max_page
    assert client.get(f"/api/search?q=a&page={LIMITS.max_page + 1}").status_code == 400
    for sort in params["sort"]["enum"]:
        assert client.get(f"/api/search?q=a&sort={sort}").status_code == 200
    for preset in params["range"]["enum"]:
        assert client.get(f"/api/search?q=a&range={preset}").status_code == 200
