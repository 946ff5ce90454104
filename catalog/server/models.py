"""The bodies and answers of the REST API as pydantic models, and how a body that is not
what its route reads is refused.

The routes read their ``Request`` themselves (a body is JSON whatever its content type
among Confluent's four), so these models are not FastAPI's body parameters: the
routes check a body with ``validated``, and ``openapi.py`` writes the models into
``/openapi.json``.  A field of the wrong type is 422 in Confluent's shape, naming the
field and what it must be (42201 on the routes that carry a schema); FastAPI's own
validation errors (a parameter a route declares) are answered the same way
(``validation_error``).  Unknown fields are ignored, as Confluent does.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from catalog.server.errors import error_answer, routed_path
from catalog.server.limits import carries_schema
from catalog.store.base import MAX_NUMBER

M = TypeVar("M", bound=BaseModel)

#: Confluent's ids and versions are Java ints
Int32 = Annotated[int, Field(ge=-MAX_NUMBER - 1, le=MAX_NUMBER)]


class _Model(BaseModel):
    model_config = ConfigDict(strict=True, extra="allow", populate_by_name=True)


# -- bodies -------------------------------------------------------------------------


class SchemaReference(_Model):
    """A type or document of another subject's version that the schema uses."""

    name: str = Field(description="the name the schema uses: a full Avro name, a $ref")
    subject: str
    version: Int32


class RegisterSchemaRequest(_Model):
    """A schema to register, look up or test (Confluent's ``RegisterSchemaRequest``);
    unknown fields are ignored, as Confluent does."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"schema": '{"type": "string"}'}]},
    )

    schema_: str = Field(alias="schema", description="the schema's text")
    schema_type: str | None = Field(
        None, alias="schemaType", description="AVRO (when left out) or JSON"
    )
    references: list[SchemaReference] | None = None
    id: Int32 | None = Field(None, description="the id to register it with (IMPORT mode)")
    version: Int32 | None = Field(None, description="the version to give it (IMPORT mode)")
    metadata: dict[str, Any] | None = Field(None, description="accepted and not kept")
    rule_set: dict[str, Any] | None = Field(
        None, alias="ruleSet", description="accepted and not kept"
    )


class ConfigUpdateRequest(_Model):
    compatibility: str = Field(
        description="NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, "
        "FULL or FULL_TRANSITIVE (any case)"
    )


class ModeUpdateRequest(_Model):
    mode: str = Field(description="READWRITE, READONLY, READONLY_OVERRIDE or IMPORT")


# -- answers ------------------------------------------------------------------------


class ErrorMessage(_Model):
    """Every error, as Confluent Schema Registry answers it."""

    error_code: int = Field(description="Confluent's code: 40401, 42201, 50001, ...")
    message: str


class RegisterSchemaResponse(_Model):
    id: int = Field(description="the schema's global id")


class SchemaString(_Model):
    schema_: str = Field(alias="schema")
    schema_type: str = Field("AVRO", alias="schemaType", description="left out for AVRO")
    references: list[SchemaReference] = Field(
        default_factory=list, description="left out when there are none"
    )


class SubjectVersion(SchemaString):
    subject: str
    version: int
    id: int


class SubjectVersionPair(_Model):
    subject: str
    version: int


class CompatibilityCheckResponse(_Model):
    is_compatible: bool
    messages: list[str] = Field(
        default_factory=list, description="each problem, with ?verbose=true"
    )


class CompatibilityLevel(_Model):
    compatibility_level: str = Field(alias="compatibilityLevel")


class ModeAnswer(_Model):
    mode: str


class Health(_Model):
    status: str


MODELS: list[type[BaseModel]] = [
    SchemaReference, RegisterSchemaRequest, ConfigUpdateRequest, ModeUpdateRequest,
    ErrorMessage, RegisterSchemaResponse, SchemaString, SubjectVersion, SubjectVersionPair,
    CompatibilityCheckResponse, CompatibilityLevel, ModeAnswer, Health,
]  # fmt: skip


# -- checking bodies ----------------------------------------------------------------


def validated(model: type[M], document: Any) -> M:
    """``document`` read as ``model``; a RequestValidationError naming each field that
    is wrong (answered 422 in Confluent's shape)."""
    try:
        return model.model_validate(document)
    except ValidationError as exc:
        errors = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
        raise RequestValidationError(errors, body=document) from None


def check_storable(raw: bytes, document: Any) -> None:
    """Refuse (ValueError) a JSON document holding text no catalog can store: a NUL
    (PostgreSQL's text cannot hold one) or a lone surrogate (no UTF-8 can), each of which
    JSON can only spell as an escape (``\\u0000``, ``\\ud800``)."""
    if b"\\u" not in raw:
        return
    stack = [document]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            stack.extend(value)
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, str):
            if "\x00" in value:
                raise ValueError(f"{_json_name(value)} holds a NUL character (\\u0000)")
            try:
                value.encode()
            except UnicodeEncodeError:
                lone = next(c for c in value if 0xD800 <= ord(c) <= 0xDFFF)
                raise ValueError(
                    f"a text holds a lone surrogate (\\u{ord(lone):04x}), which is no Unicode"
                ) from None


_EXPECTED = {
    "string_type": "a string",
    "int_type": "a whole number",
    "bool_type": "true or false",
    "list_type": "a list",
    "dict_type": "a JSON object",
    "model_type": "a JSON object",
    "model_attributes_type": "a JSON object",
    "float_type": "a number",
    "greater_than_equal": "a 32-bit whole number",
    "less_than_equal": "a 32-bit whole number",
}


def explain(errors: Any) -> str:
    """One line naming each field that is wrong and what it must be."""
    said = []
    for error in errors:
        where, *path = error.get("loc") or ("body",)
        field = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")
        if where == "body":
            subject = f"the body's field {field}" if field else "the request body"
        else:
            subject = f"the {where} parameter {field!r}"
        kind = error.get("type", "")
        if kind == "missing":
            said.append(f"{subject} is required")
        elif kind in _EXPECTED:
            got = error.get("input")
            said.append(f"{subject} must be {_EXPECTED[kind]}, not {_json_name(got)}")
        else:
            said.append(f"{subject}: {error.get('msg', 'is not valid')}")
    return "; ".join(said) or "the request is not valid"


def _json_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


async def validation_error(request: Request, exc: Exception) -> Response:
    errors = exc.errors() if isinstance(exc, RequestValidationError) else []
    code = 42201 if carries_schema(request.method, routed_path(request.scope)) else 422
    return error_answer(422, code, f"invalid request: {explain(errors)}")
