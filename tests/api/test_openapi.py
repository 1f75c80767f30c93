"""/api/v1/openapi.json matches the routes, and a scripted session's JSON matches the documented schemas."""

from __future__ import annotations

import re
from datetime import timedelta

from jsonschema import Draft202012Validator

from app import clock
from tests.api.conftest import TIME_LIMIT
from tests.api.helpers import REGISTRATION, Api, key_for, mint_code, resident

METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}


def served(app) -> dict:
    res = Api(app).get("/openapi.json")
    assert res.status == 200
    return res.body


def flask_routes(app) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
            routes |= {(path, m.lower()) for m in rule.methods & METHODS}
    return routes


def test_every_route_is_documented_and_every_documented_route_exists(app):
    doc = served(app)
    assert doc["openapi"].startswith("3.1") and doc["servers"] == [{"url": "/api/v1"}]
    documented = {(path, method) for path, item in doc["paths"].items() for method in item}
    assert flask_routes(app) - documented == set(), "routes missing from the OpenAPI document"
    assert documented - flask_routes(app) == set(), "documented routes that do not exist"


def test_schemas_are_valid_json_schema_and_refs_resolve(app):
    doc = served(app)
    for name, schema in doc["components"]["schemas"].items():
        Draft202012Validator.check_schema(schema)
        for ref in re.findall(r'"\$ref": "#/components/schemas/(\w+)"', str(schema).replace("'", '"')):
            assert ref in doc["components"]["schemas"], (name, ref)
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            assert operation["responses"], (path, method)
            params = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert params == set(re.findall(r"{(\w+)}", path)), (path, method)
            if "security" in operation:
                assert "401" in operation["responses"], (path, method)


def operation(doc: dict, method: str, path: str) -> dict:
    path = path.split("?")[0]
    templates = sorted(doc["paths"], key=lambda t: t.count("{"))  # /papers/today before /papers/{paper_id}
    for template in templates:
        if (
            re.fullmatch(re.sub(r"{\w+}", r"[^/]+", template), path)
            and method.lower() in doc["paths"][template]
        ):
            return doc["paths"][template][method.lower()]
    raise AssertionError(f"{method} {path} is not documented")


def validate(doc: dict, schema: dict, instance, where: str) -> None:
    validator = Draft202012Validator(
        {**schema, "components": doc["components"]}, format_checker=Draft202012Validator.FORMAT_CHECKER
    )
    errors = sorted(validator.iter_errors(instance), key=str)
    assert not errors, f"{where}: {errors[0].message} at {list(errors[0].absolute_path)}"


def check_calls(doc: dict, calls) -> set[str]:
    seen = set()
    for call in calls:
        op = operation(doc, call.method, call.path)
        where = f"{call.method} {call.path} -> {call.status}"
        assert str(call.status) in op["responses"], f"{where}: status not documented"
        validate(
            doc, op["responses"][str(call.status)]["content"]["application/json"]["schema"], call.body, where
        )
        if call.status < 300 and call.sent is not None and "requestBody" in op:
            validate(
                doc, op["requestBody"]["content"]["application/json"]["schema"], call.sent, where + " request"
            )
        seen.add(f"{call.method} {call.status}")
    return seen


def test_a_scripted_session_matches_the_documented_schemas(app, emu, campaign):
    doc = served(app)
    anon = Api(app)
    anon.get("/campaign"), anon.get("/teams"), anon.get("/privacy"), anon.get("/me")
    anon.post("/login/oauth", {"code": "made-up"}), anon.post("/login/oauth", {})
    anon.get("/login/authorize-url?redirect_uri=http://127.0.0.1:5000/h5")
    anon.get("/login/authorize-url?redirect_uri=http://elsewhere/")
    api = Api(app)
    api.login(emu, "o_doc_1")
    api.post("/login/miniprogram", {"code": mint_code(emu, "o_doc_1")})
    api.get("/session"), api.get("/me"), api.get("/papers/today")
    api.post("/register", {**REGISTRATION, "consent": False})
    api.post("/register", {**REGISTRATION, "region": "江"})
    api.post("/register", {**REGISTRATION, "phone": None, "work_unit": None})
    api.post("/register", REGISTRATION)
    api.patch("/me", {"work_unit": "某街道"}), api.patch("/me", {"phone": "1"}), api.get("/me")
    paper = api.get("/papers/today").body
    pid = paper["id"]
    key = key_for(app, pid)
    api.get(f"/papers/{pid}"), api.get("/me/results")
    api.post(f"/papers/{pid}/answers", {"position": 1, "answer": key[1][0]})
    api.post(f"/papers/{pid}/answers", {"position": 7, "answer": list(key[7][0])})
    api.post(f"/papers/{pid}/answers", {"position": 2, "answer": "AB"})
    api.post(f"/papers/{pid}/submit", {"answers": {"3": "AB", "4": "?"}})
    api.post(f"/papers/{pid}/submit", {"answers": {"9": "A"}})
    answers = {str(p): v[0] for p, v in key.items()}
    clock.freeze(clock.now() + timedelta(minutes=2))
    api.post(f"/papers/{pid}/submit", {"answers": answers})
    api.post(f"/papers/{pid}/submit", {"answers": answers})
    api.post(f"/papers/{pid}/submit", {"answers": {**answers, "4": "对" if answers["4"] == "错" else "错"}})
    api.post(f"/papers/{pid}/answers", {"position": 2, "answer": key[2][0]})
    api.get(f"/papers/{pid}"), api.get("/papers/today"), api.get("/me/results"), api.get("/papers/999999")
    api.patch("/me", {"region": "上海"})
    seen = check_calls(doc, anon.calls + api.calls)
    assert {
        "GET 200",
        "POST 200",
        "POST 201",
        "PATCH 200",
        "GET 401",
        "POST 400",
        "PATCH 400",
        "GET 403",
        "POST 409",
        "GET 409",
        "GET 404",
    } <= seen


def test_time_over_and_rate_limits_match_too(app, emu, timed_campaign):
    doc = served(app)
    api = resident(app, emu)
    pid = api.get("/papers/today").body["id"]
    clock.freeze(clock.now() + timedelta(seconds=TIME_LIMIT + 60))
    api.post(f"/papers/{pid}/submit", {"answers": {}})
    busy = Api(app, ip="10.3.3.3")
    for _ in range(31):
        busy.post("/login/miniprogram", {"code": ""})
    assert {c.status for c in api.calls + busy.calls} >= {400, 429}
    check_calls(doc, api.calls + busy.calls)
