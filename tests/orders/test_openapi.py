"""Our OpenAPI document (/api/schema/) types every body and documents every error answer, so that clients generated
from it are of use and schemathesis can check our answers (tests/reliability/test_schemathesis.py)."""

import json
from dataclasses import dataclass

import jsonschema
import pytest

from orders import schema as checks
from pickpack.inputs import JOB_REQUEST_SCHEMA, packing_event

from ..pickpack.conftest import create_demo_orders

METHODS = ("get", "head", "post", "put", "patch", "delete")
COMPONENTS = "#/components/schemas/"
# Request bodies that are the validation checks' own schemas: the document cannot drift from the validation.
DERIVED_FROM_VALIDATION = {
    "SalesOrderDocument": checks.schema_of(checks.order_document),
    "OrderEntry": checks.schema_of(checks.entry),
    "OrderCalculation": checks.schema_of(checks.calculation_request),
    "OrderEntriesChange": checks.schema_of(checks.entries_request),
    "PackingEventCreation": checks.schema_of(packing_event),
    "RecalculationJobCreation": JOB_REQUEST_SCHEMA,
}
ARRAY_ANSWERS = {
    "GET /order-v2/{tenant}/salesorders",
    "POST /order-v2/{tenant}/salesorders/search",
    "GET /order-v2/{tenant}/salesorders/{order_id}/transitions",
    "GET /order-v2/{tenant}/salesorders/{order_id}/changes",
    "GET /order-v2/{tenant}/changes",
    "GET /pick-pack/{tenant}/events",
}


@pytest.fixture(scope="module")
def document(django_db_blocker) -> dict:
    from django.test import Client

    with django_db_blocker.unblock():
        response = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return json.loads(response.content)


@dataclass(frozen=True)
class Operation:
    path: str
    method: str
    spec: dict

    @property
    def is_token_server(self) -> bool:
        return self.path.startswith("/oauth/")

    @property
    def name(self) -> str:
        return f"{self.method.upper()} {self.path}"

    def parameters(self, location: str) -> set[str]:
        return {parameter["name"] for parameter in self.spec.get("parameters", []) if parameter["in"] == location}


def operations(document: dict) -> list[Operation]:
    return [
        Operation(path, method, item[method])
        for path, item in document["paths"].items()
        for method in METHODS
        if method in item
    ]


def component_name(schema: dict) -> str:
    assert set(schema) == {"$ref"} and schema["$ref"].startswith(COMPONENTS), schema
    return schema["$ref"].removeprefix(COMPONENTS)


def is_free_form(schema: dict) -> bool:
    return not any(key in schema for key in ("properties", "items", "allOf", "anyOf", "oneOf", "enum", "$ref"))


def body_component(content: dict) -> str:
    (media_schema,) = {json.dumps(media["schema"], sort_keys=True) for media in content.values()}
    schema = json.loads(media_schema)
    return component_name(schema["items"] if schema.get("type") == "array" else schema)


def test_every_body_is_a_named_typed_component(document):
    components = document["components"]["schemas"]
    for operation in operations(document):
        bodies = []
        if "requestBody" in operation.spec:
            assert operation.spec["requestBody"]["required"] is True, operation.name
            bodies.append(operation.spec["requestBody"]["content"])
        bodies += [answer["content"] for answer in operation.spec["responses"].values() if "content" in answer]
        for content in bodies:
            component = components[body_component(content)]
            assert not is_free_form(component), (operation.name, component)


def test_operations_that_answer_arrays_declare_arrays(document):
    for operation in operations(document):
        answer = operation.spec["responses"].get("200", {}).get("content", {}).get("application/json")
        if operation.name in ARRAY_ANSWERS:
            assert answer["schema"]["type"] == "array", operation.name
        elif answer is not None:
            assert "$ref" in answer["schema"], operation.name


def test_paged_operations_answer_their_total_count(document):
    paged = [operation for operation in operations(document) if "pageSize" in operation.parameters("query")]
    assert len(paged) == 5
    for operation in paged:
        assert operation.spec["responses"]["200"]["headers"]["X-Total-Count"]["required"] is True, operation.name


def test_every_operation_documents_its_error_answers_in_the_error_shape(document):
    for operation in operations(document):
        if operation.is_token_server:
            continue
        responses = operation.spec["responses"]
        documented = {int(status) for status in responses if status >= "400"}
        expected = {401, 403, 406, 500, 503}
        if "requestBody" in operation.spec:
            expected |= {400, 413, 415}
        if operation.parameters("query"):
            expected.add(400)
        if {"order_id", "job_id"} & operation.parameters("path"):
            expected.add(404)
        if operation.method in ("put", "patch"):
            expected.add(409)
        assert expected <= documented, (operation.name, sorted(expected - documented))
        error_component = "PickPackError" if operation.path.startswith("/pick-pack/") else "Error"
        for status in documented:
            assert body_component(responses[str(status)]["content"]) == error_component, (operation.name, status)
        assert "Retry-After" in responses["503"]["headers"], operation.name


def test_posts_that_honour_idempotency_keys_document_the_header_and_its_answers(document):
    posts = [operation for operation in operations(document) if operation.method == "post"]
    for operation in posts:
        if operation.path.endswith("/search") or operation.is_token_server:
            continue
        assert "Idempotency-Key" in operation.parameters("header"), operation.name
        assert {"409", "422"} <= set(operation.spec["responses"]), operation.name


def without_prose(schema):
    """The schema without descriptions and examples: what it accepts."""
    if isinstance(schema, list):
        return [without_prose(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    return {key: without_prose(value) for key, value in schema.items() if key not in ("description", "example")}


def resolved(schema, components: dict):
    if isinstance(schema, list):
        return [resolved(item, components) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        return resolved(components[schema["$ref"].removeprefix(COMPONENTS)], components)
    return {key: resolved(value, components) for key, value in schema.items()}


def test_request_bodies_are_the_validation_checks_own_schemas(document):
    components = document["components"]["schemas"]
    for name, derived in DERIVED_FROM_VALIDATION.items():
        documented = without_prose(resolved(components[name], components))
        assert documented == without_prose(json.loads(json.dumps(derived, default=float))), name


def as_json_schema(schema, components: dict):
    """An OpenAPI 3.0 schema as draft 4 JSON Schema: references resolved, `nullable` as a null type."""
    if isinstance(schema, list):
        return [as_json_schema(item, components) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        return as_json_schema(components[schema["$ref"].removeprefix(COMPONENTS)], components)
    converted = {key: as_json_schema(value, components) for key, value in schema.items() if key != "example"}
    if converted.pop("nullable", False):
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


def test_every_component_example_conforms_to_its_component(document):
    components = document["components"]["schemas"]
    examples = {name: component["example"] for name, component in components.items() if "example" in component}
    assert {"SalesOrder", "SalesOrderDocument", "Error", "PickPackError", "RecalculationJob"} <= set(examples)
    for name, example in examples.items():
        validator = jsonschema.Draft4Validator(as_json_schema(components[name], components))
        assert not list(validator.iter_errors(example)), (
            name,
            [error.message for error in validator.iter_errors(example)],
        )


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "salesorders"),
        ("GET", "salesorders/{id}"),
        ("POST", "salesorders/search"),
        ("DELETE", "salesorders/{id}"),
    ],
)
def test_a_client_accepting_no_json_gets_the_documented_406(api, seed_order, method, path):
    # given an order, and a client that accepts only XML
    order_id = api.post("salesorders", seed_order).json()["id"]
    # when it calls an operation
    response = api.call(method, path.format(id=order_id), json={"q": ""}, HTTP_ACCEPT="application/xml")
    # then it gets the 406 the document promises, in the error shape, and the order is still there
    assert response.status_code == 406, response
    assert response.json()["type"] == "not_acceptable"
    assert api.get(f"salesorders/{order_id}").status_code == 200


def test_the_token_server_is_documented_with_its_own_error_shape(document):
    token_server = [operation for operation in operations(document) if operation.is_token_server]
    assert {operation.name for operation in token_server} == {"POST /oauth/token", "POST /oauth/revoke"}
    for operation in token_server:
        responses = operation.spec["responses"]
        assert {"400", "401", "413", "503"} <= set(responses), operation.name
        assert (
            body_component(responses["400"]["content"]) == body_component(responses["401"]["content"]) == ("OAuthError")
        )
        assert list(operation.spec["requestBody"]["content"]) == ["application/x-www-form-urlencoded"]


def test_demo_orders_as_stored_and_recalculated_conform_to_the_documented_order(api, tenant, document):
    # given demo orders of several shapes (currencies, units, discounts, fees, shipping, vendors)
    orders = create_demo_orders(tenant, 12)
    components = document["components"]["schemas"]
    validator = jsonschema.Draft4Validator(as_json_schema(components["SalesOrder"], components))
    # when each is read as stored, then recalculated
    answers = [api.get(f"salesorders/{order.order_id}").json() for order in orders]
    for order in orders:
        assert api.patch(f"salesorders/{order.order_id}?recalculate=true", {}).status_code == 204
        answers.append(api.get(f"salesorders/{order.order_id}").json())
    answers += api.get("salesorders", QUERY_STRING="pageSize=100").json()
    # then every answer is what the document says an order is
    for answer in answers:
        problems = [f"{list(error.absolute_path)}: {error.message}" for error in validator.iter_errors(answer)]
        assert not problems, (answer["id"], problems)
