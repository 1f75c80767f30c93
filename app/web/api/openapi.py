"""The OpenAPI 3.1 document of /api/v1, served at /api/v1/openapi.json; tests keep it true to the routes.

Assembled from sections: this module (sessions and login), `openapi_quiz`, `openapi_papers` and
`openapi_features`. A feature adding routes to the blueprint documents them in a section listed in SECTIONS.
"""

from __future__ import annotations

import importlib
from typing import Any

from flask import jsonify

from app.web.api import bp

SECTIONS = (
    "app.web.api.openapi",
    "app.web.api.openapi_quiz",
    "app.web.api.openapi_papers",
    "app.web.api.openapi_features",
    "app.web.api.openapi_privacy",
)
JSON = "application/json"

# Schema helpers ------------------------------------------------------------------------------------
STR: dict[str, Any] = {"type": "string"}
INT: dict[str, Any] = {"type": "integer"}
BOOL: dict[str, Any] = {"type": "boolean"}
DATE: dict[str, Any] = {"type": "string", "format": "date"}
TIME: dict[str, Any] = {"type": "string", "format": "date-time"}
ANY_OBJECT: dict[str, Any] = {"type": "object"}


def ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    if "type" in schema and isinstance(schema["type"], str):
        return {**schema, "type": [schema["type"], "null"]}
    return {"anyOf": [schema, {"type": "null"}]}


def array(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": items}


def obj(
    required: dict[str, Any],
    optional: dict[str, Any] | None = None,
    *,
    open_: bool = False,
    description: str | None = None,
) -> dict[str, Any]:
    """An object schema; closed (no undocumented fields) unless `open_`."""
    schema: dict[str, Any] = {
        "type": "object",
        "required": list(required),
        "properties": {**required, **(optional or {})},
        "additionalProperties": open_,
    }
    if description:
        schema["description"] = description
    return schema


def body(schema: dict[str, Any], description: str = "") -> dict[str, Any]:
    return {"required": True, "description": description, "content": {JSON: {"schema": schema}}}


def reply(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": schema or ref("Error")}}}


def errors(**by_status: str) -> dict[str, Any]:
    """Error responses, e.g. errors(e400="bad_request: ...", e409="...") -> {"400": ..., "409": ...}."""
    return {key[1:]: reply(text) for key, text in by_status.items()}


AUTH_ERRORS = errors(e401="unauthorized：没有或无效的会话令牌（重新登录）。")


def op(
    summary: str,
    responses: dict[str, Any],
    *,
    auth: bool = False,
    request: dict[str, Any] | None = None,
    tag: str = "quiz",
    parameters: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    operation: dict[str, Any] = {"summary": summary, "tags": [tag], "responses": dict(responses)}
    if auth:
        operation["security"] = [{"bearer": []}]
        operation["responses"].update(AUTH_ERRORS)
    if request is not None:
        operation["requestBody"] = request
    if parameters:
        operation["parameters"] = parameters
    return operation


def path_param(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "description": description, "schema": INT}


def query_param(name: str, description: str, *, required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "description": description, "schema": STR}


# This section: errors, sessions and login -----------------------------------------------------------
SCHEMAS: dict[str, Any] = {
    "Error": obj(
        {
            "error": {**STR, "description": "A stable code for programs, e.g. code_invalid, not_on_paper."},
            "message": {**STR, "description": "Short Simplified Chinese for the resident."},
        },
        {
            "candidates": array(ref("Team")),
            "errors": {
                "type": "object",
                "additionalProperties": STR,
                "description": "Per question position, the hint for an unreadable answer.",
            },
            "paper_id": nullable(INT),
        },
    ),
    "Session": obj(
        {
            "token": {**STR, "description": "Send as `Authorization: Bearer <token>`."},
            "token_type": {"const": "Bearer"},
            "expires_in": {**INT, "description": "Seconds the token stays valid."},
            "registered": {**BOOL, "description": "Whether this WeChat user has registered already."},
        }
    ),
    "LoginRequest": obj({"code": {**STR, "maxLength": 256}}),
}

LOGIN_ERRORS = errors(
    e400="code_missing；code_invalid：微信不认这个 code 且本服务没见过它（请从菜单重新打开，不要自动重试）。",
    e429="rate_limited：同一 IP 登录太频繁。",
    e502="login_failed：微信拒绝了本服务的凭证（配置问题）。",
    e503="wechat_unavailable：微信接口繁忙或超时，可稍后重试。",
)

PATHS: dict[str, Any] = {
    "/login/oauth": {
        "post": op(
            "H5 页面登录：用微信网页授权（snsapi_base）回调带来的 code 换取会话令牌。同一 code 在 10 分钟内"
            "（同一 IP）再次提交返回同一用户的会话，不会报错。",
            {"200": reply("会话令牌", ref("Session")), **LOGIN_ERRORS},
            request=body(ref("LoginRequest")),
            tag="login",
        )
    },
    "/login/miniprogram": {
        "post": op(
            "小程序登录：用 wx.login() 得到的 code 经 code2session 换取会话令牌（同样记住 10 分钟）。",
            {"200": reply("会话令牌", ref("Session")), **LOGIN_ERRORS},
            request=body(ref("LoginRequest")),
            tag="login",
        )
    },
    "/login/authorize-url": {
        "get": op(
            "微信网页授权地址（snsapi_base），授权后回到 redirect_uri 并带上 code。",
            {
                "200": reply("授权地址", obj({"url": STR})),
                **errors(e400="bad_redirect：redirect_uri 不在本活动网站下。"),
            },
            tag="login",
            parameters=[
                query_param("redirect_uri", "回调地址（本站地址）", required=True),
                query_param("state", "原样带回的状态"),
            ],
        )
    },
    "/session": {
        "get": op(
            "当前会话对应的 openid。", {"200": reply("会话", obj({"openid": STR}))}, auth=True, tag="login"
        )
    },
    "/openapi.json": {"get": op("本文档。", {"200": reply("OpenAPI 3.1 文档", ANY_OBJECT)}, tag="meta")},
}


def document() -> dict[str, Any]:
    """The whole document: every section's paths and schemas."""
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    for name in SECTIONS:
        section = importlib.import_module(name)
        paths.update(section.PATHS)
        schemas.update(section.SCHEMAS)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "防非答题活动 API",
            "version": "1.0.0",
            "description": "H5 活动页和小程序使用的接口。先登录取得会话令牌，之后以 Bearer 令牌调用。"
            "试卷在交卷前不含任何答案、对错或解析；评分只在服务器上进行。",
        },
        "servers": [{"url": "/api/v1"}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "POST /login/oauth 或 /login/miniprogram 返回的 token",
                }
            },
        },
    }


@bp.get("/openapi.json")
def openapi_json():  # noqa: ANN201
    return jsonify(document())
