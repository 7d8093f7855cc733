"""The OpenAPI 3 document of /api/v1 (a test checks that every route is described here)."""

from __future__ import annotations

from flask import jsonify

from hub.api import bp
from hub.api.docs import error_responses, json_content, timestamp

FACTORY_SUMMARY = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"}, "external_id": {"type": "string", "nullable": True},
        "name": {"type": "string"}, "name_en": {"type": "string", "nullable": True},
        "ward": {"type": "string", "nullable": True}, "ward_label": {"type": "string", "nullable": True},
        "lat": {"type": "number", "nullable": True}, "lon": {"type": "number", "nullable": True},
        "location_approximate": {"type": "boolean"},
        "processes": {"type": "array", "items": {"$ref": "#/components/schemas/Coded"}},
        "materials": {"type": "array", "items": {"$ref": "#/components/schemas/Coded"}},
    },
}


def document() -> dict:
    """Build the document (plain data: easy to read and to test)."""
    page_params = [
        {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 200}},
        {"name": "process", "in": "query", "schema": {"type": "string"}, "description": "code or any alias"},
        {"name": "material", "in": "query", "schema": {"type": "string"}},
        {"name": "ward", "in": "query", "schema": {"type": "string"}, "description": "大田区, Ota or Ota-ku"},
        {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
        {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000}},
        {"name": "lang", "in": "query", "schema": {"type": "string", "enum": ["ja", "en"]}},
    ]
    return {
        "openapi": "3.0.3",
        "info": {"title": "Machi-Koba Co-Creation Hub API", "version": "1.0.0",
                 "description": "Directory, matching, Open Factory bookings, succession and KPIs. "
                                "Errors: {\"error\": {\"code\", \"message\", \"fields\"}}."},
        "servers": [{"url": "/api/v1"}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {"type": "object", "properties": {"error": {"type": "object", "properties": {
                    "code": {"type": "string"}, "message": {"type": "string"},
                    "fields": {"type": "object", "additionalProperties": {"type": "string"}}}}}},
                "Coded": {"type": "object", "properties": {
                    "code": {"type": "string"}, "label": {"type": "string"}, "source": {"type": "string"},
                    "evidence": {"type": "string", "enum": ["listed", "prose"],
                                 "description": "listed: the factory's own list or confirmed by its owner; "
                                                "prose: read from its description, not yet confirmed"}}},
                "FactorySummary": FACTORY_SUMMARY,
                "ApiToken": {"type": "object", "properties": {
                    "id": {"type": "integer"}, "name": {"type": "string"},
                    "created_at": timestamp(),
                    "expires_at": timestamp(nullable=True),
                    "last_used_at": timestamp(nullable=True)}},
            },
        },
        "paths": {
            "/openapi.json": {"get": {"summary": "This document", "responses": {"200": {"description": "OK"}}}},
            "/auth/token": {"post": {
                "summary": "Exchange email and password for a bearer token (named and expiring)",
                "requestBody": {"required": True, **json_content({"type": "object", "required": ["email", "password"],
                                "properties": {"email": {"type": "string"}, "password": {"type": "string"},
                                               "name": {"type": "string", "maxLength": 100},
                                               "expires_in_days": {"type": "integer", "minimum": 1}}})},
                "responses": {"200": {"description": "Token (its value is shown only here)", **json_content({
                    "allOf": [{"$ref": "#/components/schemas/ApiToken"}, {"type": "object", "properties": {
                        "token": {"type": "string"}, "role": {"type": "string"},
                        "expires_in_days": {"type": "integer"}}}]})},
                              **error_responses(400, 401, 415, 429)},
            }},
            "/auth/tokens": {"get": {
                "summary": "Your own API tokens (names and dates, never the values)", "security": [{"bearer": []}],
                "responses": {"200": {"description": "Tokens, newest first", **json_content({
                    "type": "object", "properties": {
                    "tokens": {"type": "array", "items": {"$ref": "#/components/schemas/ApiToken"}}}})},
                              **error_responses(401, 429)},
            }},
            "/auth/tokens/{token_id}": {
                "parameters": [{"name": "token_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                "delete": {"summary": "Revoke one of your own API tokens", "security": [{"bearer": []}],
                           "responses": {"204": {"description": "Revoked"}, **error_responses(401, 404, 429)}},
            },
            "/factories": {"get": {
                "summary": "Public factory directory", "parameters": page_params,
                "responses": {"200": {"description": "A page of factories", **json_content({
                    "type": "object", "properties": {
                    "factories": {"type": "array", "items": {"$ref": "#/components/schemas/FactorySummary"}},
                    "total": {"type": "integer"}, "page": {"type": "integer"}}})}, **error_responses(400, 429)},
            }},
            "/factories/{factory_id}": {
                "parameters": [{"name": "factory_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                "get": {"summary": "One public factory profile",
                        "responses": {"200": {"description": "Profile"}, **error_responses(404)}},
                "patch": {"summary": "Update your own factory's profile", "security": [{"bearer": []}],
                          "requestBody": {"required": True, **json_content({"type": "object"})},
                          "responses": {"200": {"description": "Updated profile"},
                                        **error_responses(400, 401, 403, 404)}},
            },
        },
    }


def full_document() -> dict:
    """The core document plus the paths and schemas each domain declares in ``OPENAPI_PATHS``/``OPENAPI_SCHEMAS``."""
    from hub import domain_modules

    doc = document()
    for module in domain_modules("api"):
        doc["paths"].update(getattr(module, "OPENAPI_PATHS", {}))
        doc["components"]["schemas"].update(getattr(module, "OPENAPI_SCHEMAS", {}))
    return doc


@bp.route("/openapi.json")
def openapi():
    """The OpenAPI 3 description of every endpoint."""
    return jsonify(full_document())
