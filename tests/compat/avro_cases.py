"""Apache Avro's own compatibility cases (TestSchemaCompatibility and the
TestSchemaCompatibility* classes of lang/java, Apache-2.0), restated as our
table: reader schema, writer schema, and the issue kinds we expect.

Avro's cases compare bare types; a bare type T is wrapped here as a record with
one field ``f`` of type T, which asks the same question of the resolver.
Avro's kinds map to ours: TYPE_MISMATCH to TYPE_CHANGED or TYPE_NARROWED,
READER_FIELD_MISSING_DEFAULT_VALUE to FIELD_ADDED_WITHOUT_DEFAULT,
MISSING_UNION_BRANCH to UNION_BRANCH_MISSING (NULLABILITY_TIGHTENED when the
missing branch is null, since a null branch is our nullability),
MISSING_ENUM_SYMBOLS to ENUM_SYMBOL_REMOVED, DECIMAL_SCALE_OR_PRECISION_MISMATCH
to DECIMAL_MISMATCH.  The recursive schemas (INT_LIST_RECORD ...) are left
out: Arrow types cannot refer to themselves, and Avro itself has set those
cases aside (AVRO-2074).
"""

from __future__ import annotations

from typing import Any


def record(name: str, *fields: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "record", "name": name, "fields": list(fields), **extra}


def field(name: str, type_: Any, **extra: Any) -> dict[str, Any]:
    return {"name": name, "type": type_, **extra}


def enum(name: str, *symbols: str, **extra: Any) -> dict[str, Any]:
    return {"type": "enum", "name": name, "symbols": list(symbols), **extra}


def fixed(name: str, size: int, **extra: Any) -> dict[str, Any]:
    return {"type": "fixed", "name": name, "size": size, **extra}


def decimal(precision: int, scale: int) -> dict[str, Any]:
    return {"type": "bytes", "logicalType": "decimal", "precision": precision, "scale": scale}


NULL, BOOLEAN, INT, LONG, FLOAT, DOUBLE, STRING, BYTES = (
    "null", "boolean", "int", "long", "float", "double", "string", "bytes",
)  # fmt: skip
INT_ARRAY = {"type": "array", "items": INT}
LONG_ARRAY = {"type": "array", "items": LONG}
STRING_ARRAY = {"type": "array", "items": STRING}
INT_MAP = {"type": "map", "values": INT}
LONG_MAP = {"type": "map", "values": LONG}
STRING_MAP = {"type": "map", "values": STRING}
ENUM1_AB = enum("Enum1", "A", "B")
ENUM1_ABC = enum("Enum1", "A", "B", "C")
ENUM1_BC = enum("Enum1", "B", "C")
ENUM2_AB = enum("Enum2", "A", "B")
EMPTY_UNION: list[Any] = []
INT_UNION, LONG_UNION, FLOAT_UNION = [INT], [LONG], [FLOAT]
DOUBLE_UNION, STRING_UNION, BYTES_UNION = [DOUBLE], [STRING], [BYTES]
INT_STRING_UNION, STRING_INT_UNION = [INT, STRING], [STRING, INT]
INT_FLOAT_UNION, INT_LONG_UNION = [INT, FLOAT], [INT, LONG]
INT_LONG_FLOAT_DOUBLE_UNION = [INT, LONG, FLOAT, DOUBLE]
FIXED_4, FIXED_8 = fixed("Fixed", 4), fixed("Fixed", 8)

EMPTY_RECORD1 = record("Record1")
EMPTY_RECORD2 = record("Record2")
A_INT_RECORD1 = record("Record1", field("a", INT))
A_LONG_RECORD1 = record("Record1", field("a", LONG))
A_INT_B_INT_RECORD1 = record("Record1", field("a", INT), field("b", INT))
A_DINT_RECORD1 = record("Record1", field("a", INT, default=0))
A_INT_B_DINT_RECORD1 = record("Record1", field("a", INT), field("b", INT, default=0))
A_DINT_B_DINT_RECORD1 = record("Record1", field("a", INT, default=0), field("b", INT, default=0))
A_DINT_B_DFIXED_4_RECORD1 = record("Record1", field("a", INT, default=0), field("b", FIXED_4))
A_DINT_B_DFIXED_8_RECORD1 = record("Record1", field("a", INT, default=0), field("b", FIXED_8))
A_DINT_B_DINT_STRING_UNION_RECORD1 = record(
    "Record1", field("a", INT, default=0), field("b", INT_STRING_UNION, default=0)
)
A_DINT_B_DINT_UNION_RECORD1 = record(
    "Record1", field("a", INT, default=0), field("b", INT_UNION, default=0)
)
A_DINT_B_DENUM_1_RECORD1 = record("Record1", field("a", INT, default=0), field("b", ENUM1_AB))
A_DINT_B_DENUM_2_RECORD1 = record("Record1", field("a", INT, default=0), field("b", ENUM2_AB))
NS_RECORD1 = record("Record1", field("f1", [NULL, {"type": "array", "items": record(
    "InnerRecord1", field("a", INT), namespace="ns1")}]))  # fmt: skip
NS_RECORD2 = record("Record1", field("f1", [NULL, {"type": "array", "items": record(
    "InnerRecord1", field("a", INT), namespace="ns2")}]))  # fmt: skip
ENUM_AB_ENUM_DEFAULT_A_RECORD = record(
    "Record", field("Field", enum("Schema", "A", "B", default="A"))
)
ENUM_ABC_ENUM_DEFAULT_A_RECORD = record(
    "Record", field("Field", enum("Schema", "A", "B", "C", default="A"))
)
ENUM_AB_FIELD_DEFAULT_A_ENUM_DEFAULT_B_RECORD = record(
    "Record", field("Field", enum("Schema", "A", "B", default="B"), default="A")
)
ENUM_ABC_FIELD_DEFAULT_B_ENUM_DEFAULT_A_RECORD = record(
    "Record", field("Field", enum("Schema", "A", "B", "C", default="A"), default="B")
)

# (reader, writer): compatible.
COMPATIBLE: list[tuple[Any, Any]] = [
    (BOOLEAN, BOOLEAN),
    (INT, INT),
    (LONG, INT), (LONG, LONG),
    (FLOAT, INT), (FLOAT, LONG), (DOUBLE, LONG), (DOUBLE, INT), (DOUBLE, FLOAT),
    (STRING, STRING), (BYTES, BYTES),
    (INT_ARRAY, INT_ARRAY), (LONG_ARRAY, INT_ARRAY),
    (INT_MAP, INT_MAP), (LONG_MAP, INT_MAP),
    (ENUM1_AB, ENUM1_AB), (ENUM1_ABC, ENUM1_AB),
    (STRING, BYTES), (BYTES, STRING),
    (EMPTY_UNION, EMPTY_UNION), (FLOAT_UNION, EMPTY_UNION),
    (INT_UNION, INT_UNION), (INT_STRING_UNION, STRING_INT_UNION),
    (INT_UNION, EMPTY_UNION), (LONG_UNION, EMPTY_UNION), (LONG_UNION, INT_UNION),
    (FLOAT_UNION, INT_UNION), (FLOAT_UNION, LONG_UNION),
    (DOUBLE_UNION, INT_UNION), (DOUBLE_UNION, LONG_UNION), (DOUBLE_UNION, FLOAT_UNION),
    (DOUBLE_UNION, INT_FLOAT_UNION),
    (STRING_UNION, EMPTY_UNION), (STRING_UNION, BYTES_UNION),
    (BYTES_UNION, EMPTY_UNION), (BYTES_UNION, STRING_UNION),
    (FLOAT, INT_FLOAT_UNION), (LONG, INT_LONG_UNION), (DOUBLE, INT_FLOAT_UNION),
    (DOUBLE, INT_LONG_FLOAT_DOUBLE_UNION),
    (FLOAT, FLOAT_UNION), (INT_UNION, INT), (INT, INT_UNION),
    (FIXED_4, FIXED_4),
    (EMPTY_RECORD1, EMPTY_RECORD1), (EMPTY_RECORD1, A_INT_RECORD1),
    (A_INT_RECORD1, A_INT_RECORD1), (A_DINT_RECORD1, A_INT_RECORD1),
    (A_DINT_RECORD1, A_DINT_RECORD1), (A_INT_RECORD1, A_DINT_RECORD1),
    (A_LONG_RECORD1, A_INT_RECORD1),
    (A_INT_RECORD1, A_INT_B_INT_RECORD1), (A_DINT_RECORD1, A_INT_B_INT_RECORD1),
    (A_INT_B_DINT_RECORD1, A_INT_RECORD1), (A_DINT_B_DINT_RECORD1, EMPTY_RECORD1),
    (A_DINT_B_DINT_RECORD1, A_INT_RECORD1), (A_INT_B_INT_RECORD1, A_DINT_B_DINT_RECORD1),
    (NULL, NULL),
    (ENUM_AB_ENUM_DEFAULT_A_RECORD, ENUM_ABC_ENUM_DEFAULT_A_RECORD),
    (ENUM_AB_FIELD_DEFAULT_A_ENUM_DEFAULT_B_RECORD, ENUM_ABC_FIELD_DEFAULT_B_ENUM_DEFAULT_A_RECORD),
    (NS_RECORD1, NS_RECORD2),
]  # fmt: skip

RECORD1_WITH_INT = record("Record1", field("field1", INT))
RECORD2_WITH_INT = record("Record2", field("field1", INT))
RECORD1_WITH_ENUM_AB = record("Record1", field("field1", ENUM1_AB))
RECORD1_WITH_ENUM_ABC = record("Record1", field("field1", ENUM1_ABC))

# (reader, writer, the issue kinds we report): incompatible.
INCOMPATIBLE: list[tuple[Any, Any, list[str]]] = [
    # TestSchemaCompatibilityTypeMismatch
    (NULL, INT, ["TYPE_CHANGED"]), (NULL, LONG, ["TYPE_CHANGED"]),
    (BOOLEAN, INT, ["TYPE_CHANGED"]),
    (INT, NULL, ["NULLABILITY_TIGHTENED"]), (INT, BOOLEAN, ["TYPE_CHANGED"]),
    (INT, LONG, ["TYPE_NARROWED"]), (INT, FLOAT, ["TYPE_NARROWED"]), (INT, DOUBLE, ["TYPE_NARROWED"]),
    (LONG, FLOAT, ["TYPE_NARROWED"]), (LONG, DOUBLE, ["TYPE_NARROWED"]),
    (FLOAT, DOUBLE, ["TYPE_NARROWED"]),
    (DOUBLE, STRING, ["TYPE_CHANGED"]),
    (FIXED_4, STRING, ["TYPE_CHANGED"]),
    (STRING, BOOLEAN, ["TYPE_CHANGED"]), (STRING, INT, ["TYPE_CHANGED"]),
    (BYTES, NULL, ["NULLABILITY_TIGHTENED"]), (BYTES, INT, ["TYPE_CHANGED"]),
    (A_INT_RECORD1, INT, ["TYPE_CHANGED"]),
    (INT_ARRAY, LONG_ARRAY, ["TYPE_NARROWED"]),
    (INT_MAP, INT_ARRAY, ["TYPE_CHANGED"]), (INT_ARRAY, INT_MAP, ["TYPE_CHANGED"]),
    (INT_MAP, LONG_MAP, ["TYPE_NARROWED"]),
    (INT, ENUM2_AB, ["TYPE_CHANGED"]), (ENUM2_AB, INT, ["TYPE_CHANGED"]),
    (FLOAT, INT_LONG_FLOAT_DOUBLE_UNION, ["TYPE_NARROWED"]),
    (LONG, INT_FLOAT_UNION, ["TYPE_NARROWED"]),
    (INT, INT_FLOAT_UNION, ["TYPE_NARROWED"]),
    # TestSchemaCompatibilityMissingUnionBranch
    (INT_UNION, INT_STRING_UNION, ["UNION_BRANCH_MISSING"]),
    (STRING_UNION, INT_STRING_UNION, ["UNION_BRANCH_MISSING"]),
    (INT_UNION, [INT, RECORD1_WITH_INT], ["UNION_BRANCH_MISSING"]),
    (INT_UNION, [INT, RECORD2_WITH_INT], ["UNION_BRANCH_MISSING"]),
    ([INT, RECORD1_WITH_INT], [INT, RECORD2_WITH_INT], ["UNION_BRANCH_MISSING"]),
    (INT_UNION, [INT, ENUM1_AB], ["UNION_BRANCH_MISSING"]),
    (INT_UNION, [INT, FIXED_4], ["UNION_BRANCH_MISSING"]),
    (INT_UNION, [INT, BOOLEAN], ["UNION_BRANCH_MISSING"]),
    (INT_UNION, LONG_UNION, ["UNION_BRANCH_MISSING"]),
    (INT_UNION, FLOAT_UNION, ["UNION_BRANCH_MISSING"]),
    (INT_UNION, DOUBLE_UNION, ["UNION_BRANCH_MISSING"]),
    (INT_UNION, BYTES_UNION, ["UNION_BRANCH_MISSING"]),
    (INT_UNION, [INT, INT_ARRAY], ["UNION_BRANCH_MISSING"]),
    (INT_UNION, [INT, INT_MAP], ["UNION_BRANCH_MISSING"]),
    (INT_UNION, [INT, NULL], ["NULLABILITY_TIGHTENED"]),
    (INT_UNION, INT_LONG_FLOAT_DOUBLE_UNION, ["UNION_BRANCH_MISSING"] * 3),
    (A_DINT_B_DINT_UNION_RECORD1, A_DINT_B_DINT_STRING_UNION_RECORD1, ["UNION_BRANCH_MISSING"]),
    # TestSchemaCompatibilityNameMismatch (records by their unqualified name, as Avro 1.11 does)
    (ENUM1_AB, ENUM2_AB, ["NAME_MISMATCH"]),
    (EMPTY_RECORD2, EMPTY_RECORD1, ["NAME_MISMATCH"]),
    (FIXED_4, fixed("AnotherName", 4), ["NAME_MISMATCH"]),
    (A_DINT_B_DENUM_1_RECORD1, A_DINT_B_DENUM_2_RECORD1, ["NAME_MISMATCH"]),
    # TestSchemaCompatibilityMissingEnumSymbols
    (ENUM1_AB, ENUM1_ABC, ["ENUM_SYMBOL_REMOVED"]),
    (ENUM1_BC, ENUM1_ABC, ["ENUM_SYMBOL_REMOVED"]),
    (RECORD1_WITH_ENUM_AB, RECORD1_WITH_ENUM_ABC, ["ENUM_SYMBOL_REMOVED"]),
    # TestSchemaCompatibilityFixedSizeMismatch
    (FIXED_4, FIXED_8, ["FIXED_SIZE_MISMATCH"]), (FIXED_8, FIXED_4, ["FIXED_SIZE_MISMATCH"]),
    (A_DINT_B_DFIXED_8_RECORD1, A_DINT_B_DFIXED_4_RECORD1, ["FIXED_SIZE_MISMATCH"]),
    (A_DINT_B_DFIXED_4_RECORD1, A_DINT_B_DFIXED_8_RECORD1, ["FIXED_SIZE_MISMATCH"]),
    # TestSchemaCompatibilityReaderFieldMissingDefaultValue
    (A_INT_RECORD1, EMPTY_RECORD1, ["FIELD_ADDED_WITHOUT_DEFAULT"]),
    (A_INT_B_DINT_RECORD1, EMPTY_RECORD1, ["FIELD_ADDED_WITHOUT_DEFAULT"]),
    # TestBytesSchemaCompatibilityDecimalMismatch
    (decimal(3, 3), decimal(3, 2), ["DECIMAL_MISMATCH"]),
    (decimal(3, 3), decimal(4, 3), ["DECIMAL_MISMATCH"]),
    # TestSchemaCompatibility.testUnionReaderWriterSubsetIncompatibility
    ([INT, STRING], [INT, STRING, LONG], ["UNION_BRANCH_MISSING"]),
    # TestSchemaCompatibility.testValidateArrayWriterSchema / testValidatePrimitiveWriterSchema
    (STRING_MAP, STRING_ARRAY, ["TYPE_CHANGED"]),
    (INT, STRING, ["TYPE_CHANGED"]),
    # TestSchemaCompatibilityEnumDefaults: a field default does not stand in for a symbol
    (record("Record1", field("field1", ENUM1_AB, default="A")),
     record("Record1", field("field1", ENUM1_ABC)), ["ENUM_SYMBOL_REMOVED"]),
]  # fmt: skip
