"""``/api/docs/``: the API reference, rendered on the server from the same
OpenAPI schema that ``/api/schema/`` serves.

Swagger UI and Redoc fail WCAG 2.2 AA (nested interactive controls, contrast)
in ways a stylesheet cannot mend, so the reference is plain, accessible HTML.
It sits beside the URL conf because it documents the whole project's API,
not one app's.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from drf_spectacular.generators import SchemaGenerator

METHODS = ("get", "post", "put", "patch", "delete")


@lru_cache(maxsize=1)
def _schema() -> dict[str, Any]:
    return SchemaGenerator().get_schema(request=None, public=True)


def _type_of(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "allOf" in schema:
        return " & ".join(_type_of(part) for part in schema["allOf"])
    if "oneOf" in schema:
        return " | ".join(_type_of(part) for part in schema["oneOf"])
    kind = schema.get("type", "object")
    if kind == "array":
        return f"array of {_type_of(schema.get('items', {}))}"
    if "enum" in schema:
        return f"{kind}: one of " + ", ".join(str(v) for v in schema["enum"] if v is not None)
    fmt = schema.get("format")
    return f"{kind} ({fmt})" if fmt else str(kind)


def _body(content: dict[str, Any] | None) -> str:
    if not content:
        return ""
    media = content.get("application/json") or next(iter(content.values()))
    return _type_of(media.get("schema", {}))


def _operations(schema: dict[str, Any]) -> list[dict[str, Any]]:
    operations = []
    for path, item in schema.get("paths", {}).items():
        for method in METHODS:
            op = item.get(method)
            if not op:
                continue
            operations.append(
                {
                    "anchor": op.get("operationId", f"{method}-{path}"),
                    "method": method.upper(),
                    "path": path,
                    "tag": (op.get("tags") or ["other"])[0],
                    "summary": op.get("summary") or (op.get("description") or "").split("\n")[0],
                    "description": op.get("description", ""),
                    "parameters": [
                        {
                            "name": p["name"],
                            "in": p["in"],
                            "required": p.get("required", False),
                            "type": _type_of(p.get("schema", {})),
                            "description": p.get("description", ""),
                        }
                        for p in op.get("parameters", [])
                    ],
                    "request": _body((op.get("requestBody") or {}).get("content")),
                    "responses": [
                        {"code": code, "description": r.get("description", ""), "body": _body(r.get("content"))}
                        for code, r in op.get("responses", {}).items()
                    ],
                    "auth": "none" if op.get("security") == [{}] or ("security" in op and not op["security"]) else "",
                }
            )
    return operations


def _components(schema: dict[str, Any]) -> list[dict[str, Any]]:
    components = []
    for name, spec in sorted(schema.get("components", {}).get("schemas", {}).items()):
        required = set(spec.get("required", []))
        fields = [
            {
                "name": field,
                "type": _type_of(prop),
                "required": field in required,
                "read_only": prop.get("readOnly", False),
                "description": prop.get("description", ""),
            }
            for field, prop in spec.get("properties", {}).items()
        ]
        components.append({"name": name, "description": spec.get("description", ""), "fields": fields})
    return components


def api_docs(request: HttpRequest) -> HttpResponse:
    schema = _schema()
    operations = _operations(schema)
    tags: dict[str, list[dict[str, Any]]] = {}
    for op in operations:
        tags.setdefault(op["tag"], []).append(op)
    return render(
        request,
        "api_docs.html",
        {"info": schema.get("info", {}), "tags": sorted(tags.items()), "components": _components(schema)},
    )
