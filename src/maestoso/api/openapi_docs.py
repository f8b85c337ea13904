"""``/openapi.json`` as the API really behaves, and ``/docs`` served without the network.

FastAPI's document lacks the request bodies (see ``openapi_bodies``) and promises a 422
validation error that never comes: errors are Maestro's body with 400 (bad input), 404, 409,
413 (body over the limit) or 500. The Swagger UI assets come from the ``fastapi-offline``
package, so the page loads nothing from outside.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel

from maestoso.api.openapi_bodies import REQUEST_BODIES

ASSETS = Path(fastapi_offline.__file__).parent / "static"
ASSETS_URL = "/docs-assets"
REF = "#/components/schemas/{model}"

_ERROR_BODY = {
    "type": "object",
    "description": "Maestro's error body.",
    "properties": {
        "status": {"type": "string", "examples": ["BAD_REQUEST"]},
        "message": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "string"}},
        "retryable": {"type": "boolean"},
    },
    "required": ["status", "message", "errors", "retryable"],
}
_ERRORS = {
    "400": "The request is invalid; `errors` lists each problem with its path and value.",
    "404": "No such workflow, version, instance, run or step.",
    "409": "The action conflicts with the current state.",
    "413": "The body is larger than the server's limit (`MAESTOSO_MAX_BODY_BYTES`).",
}


def install(app: FastAPI) -> None:
    """Serve the corrected document at ``app.openapi_url`` and Swagger UI at ``/docs``."""
    app.openapi = lambda: _document(app)  # type: ignore[method-assign]
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} API",
            swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS_URL}/favicon.png",
            # Swagger UI would otherwise load a validity badge from validator.swagger.io
            swagger_ui_parameters={"validatorUrl": None},
        )


def _document(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema is None:
        document = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
        )
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        schemas.pop("HTTPValidationError", None)
        schemas.pop("ValidationError", None)
        schemas["ErrorBody"] = _ERROR_BODY
        for path, operations in document.get("paths", {}).items():
            for method, operation in operations.items():
                _describe(method, operation, REQUEST_BODIES.get((method, path)), schemas)
        app.openapi_schema = document
    return app.openapi_schema


def _describe(method: str, operation: dict[str, Any], body: Any, schemas: dict[str, Any]) -> None:
    responses = operation.setdefault("responses", {})
    responses.pop("422", None)
    error = {"application/json": {"schema": {"$ref": REF.format(model="ErrorBody")}}}
    codes = ["400", "404"] + (["409"] if method != "get" else []) + (["413"] if body else [])
    for code in codes:
        responses.setdefault(code, {"description": _ERRORS[code], "content": error})
    if body is not None:
        operation["requestBody"] = _request_body(body, schemas)


def _request_body(body: Any, schemas: dict[str, Any]) -> dict[str, Any]:
    kind, example = body
    if kind == "yaml":
        content = {"application/yaml": {"schema": {"type": "string"}, "example": example}}
        return {"required": True, "content": content}
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        schema = kind.model_json_schema(ref_template=REF, mode="validation")
        schemas.update(schema.pop("$defs", {}))
        schemas[kind.__name__] = schema
        schema = {"$ref": REF.format(model=kind.__name__)}
    else:
        schema = kind
    return {
        "required": True,
        "content": {"application/json": {"schema": schema, "example": example}},
    }
