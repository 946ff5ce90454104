"""Compatibility cases of Apache Avro (Java's TestSchemaCompatibility and the
TestSchemaCompatibility* classes, Python's test_compatibility; Apache-2.0) and the facts
of Confluent Schema Registry's AvroCompatibilityTest, restated as data for
``catalog.avro_compat``: the schemas as Avro JSON, each verdict as Avro and Confluent
give it.

Java's incompatibility types map to our issue kinds: TYPE_MISMATCH to TYPE_CHANGED, or
TYPE_NARROWED when the writer's type is a promotion of the reader's, or
NULLABILITY_TIGHTENED when the writer's value is null; MISSING_UNION_BRANCH to
UNION_BRANCH_MISSING (NULLABILITY_TIGHTENED when the missing branch is null);
READER_FIELD_MISSING_DEFAULT_VALUE to FIELD_ADDED_WITHOUT_DEFAULT (the reader is the new
schema in these checks); MISSING_ENUM_SYMBOLS to ENUM_SYMBOL_REMOVED; NAME_MISMATCH and
FIXED_SIZE_MISMATCH to themselves.  Java's locations (``/fields/1/type/size``) become
our paths (``b``): fields by name, ``[]`` for array items, ``{}`` for map values,
``<branch>`` for the branch of a writer union.  Java's anonymous records (``createRecord``
without a name) are written here with one name for reader and writer, which asks Java's
question (two absent names are equal).
"""

from __future__ import annotations

from typing import Any

Case = tuple[str, Any, Any]  # name, reader, writer
Bad = tuple[str, Any, Any, list[tuple[str, str]]]  # ..., [(our kind, our path)]


def record(name: str, *fields: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "record", "name": name, "fields": list(fields), **extra}


def field(name: str, type_: Any, **extra: Any) -> dict[str, Any]:
    return {"name": name, "type": type_, **extra}


def enum(name: str, *symbols: str, **extra: Any) -> dict[str, Any]:
    return {"type": "enum", "name": name, "symbols": list(symbols), **extra}


def fixed(name: str, size: int, **extra: Any) -> dict[str, Any]:
    return {"type": "fixed", "name": name, "size": size, **extra}


def array(items: Any) -> dict[str, Any]:
    return {"type": "array", "items": items}


def map_(values: Any) -> dict[str, Any]:
    return {"type": "map", "values": values}


def decimal(precision: int, scale: int, base: Any = "bytes") -> dict[str, Any]:
    return {"type": base, "logicalType": "decimal", "precision": precision, "scale": scale}


# -- Avro's TestSchemas ------------------------------------------------------------------
NULL, BOOLEAN, INT, LONG, FLOAT, DOUBLE, STRING, BYTES = (
    "null", "boolean", "int", "long", "float", "double", "string", "bytes",
)  # fmt: skip
INT_ARRAY, LONG_ARRAY, STRING_ARRAY = array(INT), array(LONG), array(STRING)
INT_MAP, LONG_MAP, STRING_MAP = map_(INT), map_(LONG), map_(STRING)
ENUM1_AB = enum("Enum1", "A", "B")
ENUM1_AB_DEFAULT = enum("Enum1", "A", "B", default="A")
ENUM1_AB_NS1 = enum("Enum1", "A", "B", namespace="namespace1")
ENUM1_AB_NS2 = enum("Enum1", "A", "B", namespace="namespace2")
ENUM1_ABC = enum("Enum1", "A", "B", "C")
ENUM1_BC = enum("Enum1", "B", "C")
ENUM2_AB = enum("Enum2", "A", "B")
ENUM_ABC_ENUM_DEFAULT_A = enum("Enum", "A", "B", "C", default="A")
ENUM_AB_ENUM_DEFAULT_A = enum("Enum", "A", "B", default="A")
ENUM_ABC_ENUM_DEFAULT_A_RECORD = record(
    "Record", field("Field", enum("Schema", "A", "B", "C", default="A"))
)
ENUM_AB_ENUM_DEFAULT_A_RECORD = record(
    "Record", field("Field", enum("Schema", "A", "B", default="A"))
)
ENUM_ABC_FIELD_DEFAULT_B_ENUM_DEFAULT_A_RECORD = record(
    "Record", field("Field", enum("Schema", "A", "B", "C", default="A"), default="B")
)
ENUM_AB_FIELD_DEFAULT_A_ENUM_DEFAULT_B_RECORD = record(
    "Record", field("Field", enum("Schema", "A", "B", default="B"), default="A")
)
EMPTY_UNION: list[Any] = []
NULL_UNION, INT_UNION, LONG_UNION = [NULL], [INT], [LONG]
FLOAT_UNION, DOUBLE_UNION, STRING_UNION, BYTES_UNION = [FLOAT], [DOUBLE], [STRING], [BYTES]
INT_STRING_UNION, STRING_INT_UNION = [INT, STRING], [STRING, INT]
INT_FLOAT_UNION, INT_LONG_UNION = [INT, FLOAT], [INT, LONG]
INT_LONG_FLOAT_DOUBLE_UNION = [INT, LONG, FLOAT, DOUBLE]
FIXED_4, FIXED_8 = fixed("Fixed", 4), fixed("Fixed", 8)
FIXED_4_ANOTHER_NAME = fixed("AnotherName", 4)

EMPTY_RECORD1, EMPTY_RECORD2 = record("Record1"), record("Record2")
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
NS_RECORD1 = record("Record1", field("f1", [NULL, array(record(
    "InnerRecord1", field("a", INT), namespace="ns1"))]))  # fmt: skip
NS_RECORD2 = record("Record1", field("f1", [NULL, array(record(
    "InnerRecord1", field("a", INT), namespace="ns2"))]))  # fmt: skip
WITHOUT_NS = record("Record", field("f1", INT))
WITH_NS = record("ns.Record", field("f1", INT))
# Recursive records: a list is its head and the list that follows.
INT_LIST_RECORD = record("List", field("head", INT), field("tail", "List"))
LONG_LIST_RECORD = record("List", field("head", LONG), field("tail", "List"))

# -- TestSchemaCompatibility -------------------------------------------------------------
_PAIRS = """\
BOOLEAN BOOLEAN; INT INT; LONG INT; LONG LONG; FLOAT INT; FLOAT LONG; DOUBLE LONG; DOUBLE INT;
DOUBLE FLOAT; STRING STRING; BYTES BYTES; INT_ARRAY INT_ARRAY; LONG_ARRAY INT_ARRAY;
INT_MAP INT_MAP; LONG_MAP INT_MAP; ENUM1_AB ENUM1_AB; ENUM1_ABC ENUM1_AB;
ENUM1_AB_DEFAULT ENUM1_ABC; ENUM1_AB ENUM1_AB_NS1; ENUM1_AB_NS1 ENUM1_AB; ENUM1_AB_NS1 ENUM1_AB_NS2;
STRING BYTES; BYTES STRING; EMPTY_UNION EMPTY_UNION; FLOAT_UNION EMPTY_UNION;
FLOAT_UNION INT_UNION; FLOAT_UNION LONG_UNION; FLOAT_UNION INT_LONG_UNION; INT_UNION INT_UNION;
INT_STRING_UNION STRING_INT_UNION; INT_UNION EMPTY_UNION; LONG_UNION EMPTY_UNION;
LONG_UNION INT_UNION; FLOAT_UNION INT_UNION; DOUBLE_UNION INT_UNION; FLOAT_UNION LONG_UNION;
DOUBLE_UNION LONG_UNION; FLOAT_UNION EMPTY_UNION; DOUBLE_UNION FLOAT_UNION;
STRING_UNION EMPTY_UNION; STRING_UNION BYTES_UNION; BYTES_UNION EMPTY_UNION;
BYTES_UNION STRING_UNION; DOUBLE_UNION INT_FLOAT_UNION; FLOAT INT_FLOAT_UNION;
LONG INT_LONG_UNION; DOUBLE INT_FLOAT_UNION; DOUBLE INT_LONG_FLOAT_DOUBLE_UNION;
FLOAT FLOAT_UNION; INT_UNION INT; INT INT_UNION; FIXED_4 FIXED_4; EMPTY_RECORD1 EMPTY_RECORD1;
EMPTY_RECORD1 A_INT_RECORD1; A_INT_RECORD1 A_INT_RECORD1; A_DINT_RECORD1 A_INT_RECORD1;
A_DINT_RECORD1 A_DINT_RECORD1; A_INT_RECORD1 A_DINT_RECORD1; A_LONG_RECORD1 A_INT_RECORD1;
A_INT_RECORD1 A_INT_B_INT_RECORD1; A_DINT_RECORD1 A_INT_B_INT_RECORD1;
A_INT_B_DINT_RECORD1 A_INT_RECORD1; A_DINT_B_DINT_RECORD1 EMPTY_RECORD1;
A_DINT_B_DINT_RECORD1 A_INT_RECORD1; A_INT_B_INT_RECORD1 A_DINT_B_DINT_RECORD1;
INT_LIST_RECORD INT_LIST_RECORD; LONG_LIST_RECORD LONG_LIST_RECORD;
LONG_LIST_RECORD INT_LIST_RECORD; NULL NULL;
ENUM_AB_ENUM_DEFAULT_A_RECORD ENUM_ABC_ENUM_DEFAULT_A_RECORD;
ENUM_AB_FIELD_DEFAULT_A_ENUM_DEFAULT_B_RECORD ENUM_ABC_FIELD_DEFAULT_B_ENUM_DEFAULT_A_RECORD;
NS_RECORD1 NS_RECORD2; WITHOUT_NS WITH_NS"""
# COMPATIBLE_READER_WRITER_TEST_CASES, in Avro's order (three pairs are listed twice there).
READER_WRITER_COMPATIBLE: list[Case] = [
    (f"{r}<-{w}", globals()[r], globals()[w])
    for r, w in (pair.split() for pair in _PAIRS.replace("\n", " ").split(";"))
]

WRITER_SCHEMA = record("R", field("oldfield1", INT), field("oldfield2", STRING))
SCHEMA_LOCATION_WRITE = record("table", field("location", [NULL, {
    "type": "map", "key-id": 6, "value-id": 7, "values": [NULL, record("r7",
        field("lat", FLOAT, **{"field-id": 1}),
        field("long", [NULL, FLOAT], default=None, **{"field-id": 2}))]}],
    default=None, **{"field-id": 5}))  # fmt: skip
SCHEMA_LOCATION_READ = record("table", field("location", [NULL, {
    "type": "map", "key-id": 6, "value-id": 7, "values": [NULL, record("r7",
        field("lat", FLOAT, **{"field-id": 1}),
        field("long_r2", [NULL, FLOAT], default=None, **{"field-id": 2}))]}],
    default=None, **{"field-id": 5}))  # fmt: skip
ACCOUNT_MANDATORY = record("Account", field("age", INT))
ACCOUNT_OPTIONAL = record("Account", field("age", [NULL, INT], default=None))  # optionalInt

OTHER_COMPATIBLE: list[Case] = [
    # validateSchemaPairMissingField, ...MissingSecondField, ...AllFields, ...NewFieldWithDefault
    ("missing-field", record("R", field("oldfield1", INT)), WRITER_SCHEMA),
    ("missing-second-field", record("R", field("oldfield2", STRING)), WRITER_SCHEMA),
    ("all-fields", record("R", field("oldfield1", INT), field("oldfield2", STRING)), WRITER_SCHEMA),
    ("new-field-with-default",
     record("R", field("oldfield1", INT), field("newfield1", INT, default=42)), WRITER_SCHEMA),
    ("array-writer", STRING_ARRAY, STRING_ARRAY),  # validateArrayWriterSchema
    ("primitive-writer", STRING, STRING),  # validatePrimitiveWriterSchema
    ("resolving-decoder", SCHEMA_LOCATION_READ, SCHEMA_LOCATION_WRITE),  # checkResolvingDecoder
    # TestSchemaCompatibilityEnumDefaults: the pairs a resolving decoder reads
    ("enum-default-no-field-default",  # enumDefaultAppliedWhenNoFieldDefaultDefined
     record("Record1", field("field1", ENUM_AB_ENUM_DEFAULT_A)),
     record("Record1", field("field1", ENUM_ABC_ENUM_DEFAULT_A))),
    ("enum-default-symbol-found",  # enumDefaultNotAppliedWhenCompatibleSymbolIsFound
     record("Record1", field("field1", ENUM_AB_ENUM_DEFAULT_A)),
     record("Record1", field("field1", ENUM_ABC_ENUM_DEFAULT_A))),
    ("enum-default-and-field-default",  # enumDefaultAppliedWhenFieldDefaultDefined
     record("Record1", field("field1", ENUM_AB_ENUM_DEFAULT_A, default="B")),
     record("Record1", field("field1", ENUM_ABC_ENUM_DEFAULT_A))),
]  # fmt: skip

RECORD1_WITH_INT = record("Record1", field("field1", INT))
RECORD2_WITH_INT = record("Record2", field("field1", INT))
RECORD1_WITH_ENUM_AB = record("Record1", field("field1", ENUM1_AB))
RECORD1_WITH_ENUM_ABC = record("Record1", field("field1", ENUM1_ABC))
U, C, N = "UNION_BRANCH_MISSING", "TYPE_CHANGED", "TYPE_NARROWED"

INCOMPATIBLE: list[Bad] = [
    # TestSchemaCompatibility
    ("new-field", record("R", field("oldfield1", INT), field("newfield1", INT)), WRITER_SCHEMA,
     [("FIELD_ADDED_WITHOUT_DEFAULT", "newfield1")]),  # READER_FIELD_MISSING_DEFAULT_VALUE /fields/1
    ("map-reads-array", STRING_MAP, STRING_ARRAY, [(C, "")]),  # TYPE_MISMATCH /
    ("int-reads-string", INT, STRING, [(C, "")]),
    ("union-subset", [INT, STRING], [INT, STRING, LONG], [(U, "<long>")]),  # /2
    ("union-writer-simple-reader", ACCOUNT_MANDATORY, ACCOUNT_OPTIONAL,
     [("NULLABILITY_TIGHTENED", "age")]),  # TYPE_MISMATCH INT vs NULL at /fields/0/type/0
    # TestSchemaCompatibilityTypeMismatch (TYPE_MISMATCH; location in the comment)
    ("NULL<-INT", NULL, INT, [(C, "")]),  # /
    ("NULL<-LONG", NULL, LONG, [(C, "")]),
    ("BOOLEAN<-INT", BOOLEAN, INT, [(C, "")]),
    ("INT<-NULL", INT, NULL, [("NULLABILITY_TIGHTENED", "")]),
    ("INT<-BOOLEAN", INT, BOOLEAN, [(C, "")]),
    ("INT<-LONG", INT, LONG, [(N, "")]),
    ("INT<-FLOAT", INT, FLOAT, [(N, "")]),
    ("INT<-DOUBLE", INT, DOUBLE, [(N, "")]),
    ("LONG<-FLOAT", LONG, FLOAT, [(N, "")]),
    ("LONG<-DOUBLE", LONG, DOUBLE, [(N, "")]),
    ("FLOAT<-DOUBLE", FLOAT, DOUBLE, [(N, "")]),
    ("DOUBLE<-STRING", DOUBLE, STRING, [(C, "")]),
    ("FIXED_4<-STRING", FIXED_4, STRING, [(C, "")]),
    ("STRING<-BOOLEAN", STRING, BOOLEAN, [(C, "")]),
    ("STRING<-INT", STRING, INT, [(C, "")]),
    ("BYTES<-NULL", BYTES, NULL, [("NULLABILITY_TIGHTENED", "")]),
    ("BYTES<-INT", BYTES, INT, [(C, "")]),
    ("A_INT_RECORD1<-INT", A_INT_RECORD1, INT, [(C, "")]),
    ("INT_ARRAY<-LONG_ARRAY", INT_ARRAY, LONG_ARRAY, [(N, "[]")]),  # /items
    ("INT_MAP<-INT_ARRAY", INT_MAP, INT_ARRAY, [(C, "")]),
    ("INT_ARRAY<-INT_MAP", INT_ARRAY, INT_MAP, [(C, "")]),
    ("INT_MAP<-LONG_MAP", INT_MAP, LONG_MAP, [(N, "{}")]),  # /values
    ("INT<-ENUM2_AB", INT, ENUM2_AB, [(C, "")]),
    ("ENUM2_AB<-INT", ENUM2_AB, INT, [(C, "")]),
    ("FLOAT<-INT_LONG_FLOAT_DOUBLE_UNION", FLOAT, INT_LONG_FLOAT_DOUBLE_UNION, [(N, "<double>")]),  # /3
    ("LONG<-INT_FLOAT_UNION", LONG, INT_FLOAT_UNION, [(N, "<float>")]),  # /1
    ("INT<-INT_FLOAT_UNION", INT, INT_FLOAT_UNION, [(N, "<float>")]),  # /1
    ("INT_LIST_RECORD<-LONG_LIST_RECORD", INT_LIST_RECORD, LONG_LIST_RECORD, [(N, "head")]),  # /fields/0/type
    ("NULL<-INT again", NULL, INT, [(C, "")]),  # listed twice there
    # TestSchemaCompatibilityMissingUnionBranch (MISSING_UNION_BRANCH)
    ("INT_UNION<-INT_STRING_UNION", INT_UNION, INT_STRING_UNION, [(U, "<string>")]),  # /1
    ("STRING_UNION<-INT_STRING_UNION", STRING_UNION, INT_STRING_UNION, [(U, "<int>")]),  # /0
    ("INT_UNION<-UNION_INT_RECORD1", INT_UNION, [INT, RECORD1_WITH_INT], [(U, "<Record1>")]),
    ("INT_UNION<-UNION_INT_RECORD2", INT_UNION, [INT, RECORD2_WITH_INT], [(U, "<Record2>")]),
    ("UNION_INT_RECORD1<-UNION_INT_RECORD2", [INT, RECORD1_WITH_INT], [INT, RECORD2_WITH_INT],
     [(U, "<Record2>")]),
    ("INT_UNION<-UNION_INT_ENUM1_AB", INT_UNION, [INT, ENUM1_AB], [(U, "<Enum1>")]),
    ("INT_UNION<-UNION_INT_FIXED_4_BYTES", INT_UNION, [INT, FIXED_4], [(U, "<Fixed>")]),
    ("INT_UNION<-UNION_INT_BOOLEAN", INT_UNION, [INT, BOOLEAN], [(U, "<boolean>")]),
    ("INT_UNION<-LONG_UNION", INT_UNION, LONG_UNION, [(U, "<long>")]),
    ("INT_UNION<-FLOAT_UNION", INT_UNION, FLOAT_UNION, [(U, "<float>")]),
    ("INT_UNION<-DOUBLE_UNION", INT_UNION, DOUBLE_UNION, [(U, "<double>")]),
    ("INT_UNION<-BYTES_UNION", INT_UNION, BYTES_UNION, [(U, "<bytes>")]),
    ("INT_UNION<-UNION_INT_ARRAY_INT", INT_UNION, [INT, INT_ARRAY], [(U, "<array>")]),
    ("INT_UNION<-UNION_INT_MAP_INT", INT_UNION, [INT, INT_MAP], [(U, "<map>")]),
    ("INT_UNION<-UNION_INT_NULL", INT_UNION, [INT, NULL], [("NULLABILITY_TIGHTENED", "")]),
    ("INT_UNION<-INT_LONG_FLOAT_DOUBLE_UNION", INT_UNION, INT_LONG_FLOAT_DOUBLE_UNION,
     [(U, "<long>"), (U, "<float>"), (U, "<double>")]),  # /1 /2 /3
    ("A_DINT_B_DINT_UNION_RECORD1<-A_DINT_B_DINT_STRING_UNION_RECORD1",
     A_DINT_B_DINT_UNION_RECORD1, A_DINT_B_DINT_STRING_UNION_RECORD1, [(U, "b<string>")]),
    # TestSchemaCompatibilityNameMismatch (NAME_MISMATCH at /name)
    ("ENUM1_AB<-ENUM2_AB", ENUM1_AB, ENUM2_AB, [("NAME_MISMATCH", "")]),
    ("EMPTY_RECORD2<-EMPTY_RECORD1", EMPTY_RECORD2, EMPTY_RECORD1, [("NAME_MISMATCH", "")]),
    ("FIXED_4<-FIXED_4_ANOTHER_NAME", FIXED_4, FIXED_4_ANOTHER_NAME, [("NAME_MISMATCH", "")]),
    ("A_DINT_B_DENUM_1_RECORD1<-A_DINT_B_DENUM_2_RECORD1", A_DINT_B_DENUM_1_RECORD1,
     A_DINT_B_DENUM_2_RECORD1, [("NAME_MISMATCH", "b")]),  # /fields/1/type/name
    # TestSchemaCompatibilityMissingEnumSymbols (MISSING_ENUM_SYMBOLS)
    ("ENUM1_AB<-ENUM1_ABC", ENUM1_AB, ENUM1_ABC, [("ENUM_SYMBOL_REMOVED", "")]),  # [C]
    ("ENUM1_BC<-ENUM1_ABC", ENUM1_BC, ENUM1_ABC, [("ENUM_SYMBOL_REMOVED", "")]),  # [A]
    ("RECORD1_WITH_ENUM_AB<-RECORD1_WITH_ENUM_ABC", RECORD1_WITH_ENUM_AB, RECORD1_WITH_ENUM_ABC,
     [("ENUM_SYMBOL_REMOVED", "field1")]),
    # TestSchemaCompatibilityFixedSizeMismatch (FIXED_SIZE_MISMATCH)
    ("FIXED_4<-FIXED_8", FIXED_4, FIXED_8, [("FIXED_SIZE_MISMATCH", "")]),
    ("FIXED_8<-FIXED_4", FIXED_8, FIXED_4, [("FIXED_SIZE_MISMATCH", "")]),
    ("A_DINT_B_DFIXED_8<-A_DINT_B_DFIXED_4", A_DINT_B_DFIXED_8_RECORD1, A_DINT_B_DFIXED_4_RECORD1,
     [("FIXED_SIZE_MISMATCH", "b")]),
    ("A_DINT_B_DFIXED_4<-A_DINT_B_DFIXED_8", A_DINT_B_DFIXED_4_RECORD1, A_DINT_B_DFIXED_8_RECORD1,
     [("FIXED_SIZE_MISMATCH", "b")]),
    # TestSchemaCompatibilityReaderFieldMissingDefaultValue
    ("A_INT_RECORD1<-EMPTY_RECORD1", A_INT_RECORD1, EMPTY_RECORD1,
     [("FIELD_ADDED_WITHOUT_DEFAULT", "a")]),
    ("A_INT_B_DINT_RECORD1<-EMPTY_RECORD1", A_INT_B_DINT_RECORD1, EMPTY_RECORD1,
     [("FIELD_ADDED_WITHOUT_DEFAULT", "a")]),
    # TestSchemaCompatibilityEnumDefaults: the pairs a resolving decoder refuses
    ("enum-default-writer-field-missing",  # enumDefaultNotAppliedWhenWriterFieldMissing
     record("Record1", field("field1", ENUM_AB_ENUM_DEFAULT_A)),
     record("Record1", field("field2", ENUM2_AB)), [("FIELD_ADDED_WITHOUT_DEFAULT", "field1")]),
    ("field-default-not-for-unknown-symbol",  # fieldDefaultNotAppliedForUnknownSymbol
     record("Record1", field("field1", ENUM1_AB, default="A")),
     record("Record1", field("field1", ENUM1_ABC)), [("ENUM_SYMBOL_REMOVED", "field1")]),
]  # fmt: skip

# TestSchemaCompatibilityMultiple: nine problems in one pair, in Java's order.
MULTIPLE_READER = record("base",
    field("check_enum_symbols_field", enum("check_enum_symbols_type", "A", "C")),
    field("check_enum_name_field", enum("check_enum_name_type", "A", "B", "C", "D")),
    field("type_mismatch_field", STRING),
    field("sub_record", record("sub_record_type",
        field("identical_1_field", LONG, default=42),
        field("extra_no_default_field", LONG),
        field("fixed_length_mismatch_field", fixed("fixed_length_mismatch_type", 4)),
        field("union_missing_branches_field", [BOOLEAN]),
        field("reader_union_does_not_support_type_field", [BOOLEAN]),
        field("record_fqn_mismatch_field", record("recordA",
            field("A_field_0", BOOLEAN, default=True),
            field("array_type_mismatch_field", array(STRING)), namespace="not_nsA")))))  # fmt: skip
MULTIPLE_WRITER = record("base",
    field("check_enum_symbols_field", enum("check_enum_symbols_type", "A", "B", "C", "D")),
    field("check_enum_name_field", enum("check_enum_name_type_ERR", "A", "B", "C", "D")),
    field("type_mismatch_field", LONG),
    field("sub_record", record("sub_record_type",
        field("identical_1_field", LONG, default=42),
        field("fixed_length_mismatch_field", fixed("fixed_length_mismatch_type", 8)),
        field("union_missing_branches_field", [BOOLEAN, DOUBLE, STRING]),
        field("reader_union_does_not_support_type_field", LONG),
        field("record_fqn_mismatch_field", record("recordA",
            field("A_field_0", BOOLEAN, default=True),
            field("array_type_mismatch_field", array(BOOLEAN)), namespace="nsA")))))  # fmt: skip
SUB = "sub_record."
MULTIPLE_ISSUES = [
    ("ENUM_SYMBOL_REMOVED", "check_enum_symbols_field"),  # [B, D] /fields/0/type/symbols
    ("NAME_MISMATCH", "check_enum_name_field"),  # /fields/1/type/name
    (C, "type_mismatch_field"),  # /fields/2/type
    ("FIELD_ADDED_WITHOUT_DEFAULT", SUB + "extra_no_default_field"),  # /fields/3/type/fields/1
    ("FIXED_SIZE_MISMATCH", SUB + "fixed_length_mismatch_field"),
    (U, SUB + "union_missing_branches_field<double>"),
    (U, SUB + "union_missing_branches_field<string>"),
    (U, SUB + "reader_union_does_not_support_type_field"),
    (C, SUB + "record_fqn_mismatch_field.array_type_mismatch_field[]"),  # .../fields/1/type/items
]

# Avro's Python test_compatibility, test_simple_schema_promotion: aliases.
ALIAS_WRITER = record("foo", field("f1", INT), field("f2", STRING))
ALIAS_COMPATIBLE: list[Case] = [
    ("field-alias", record("foo", field("bar", INT, aliases=["f1"])), ALIAS_WRITER),
    ("record-alias", record("other", field("f1", INT), aliases=["foo"]), ALIAS_WRITER),
]

# -- Confluent Schema Registry: AvroCompatibilityTest ------------------------------------
S1 = record("myrecord", field("f1", STRING))
S2 = record("myrecord", field("f1", STRING), field("f2", STRING, default="foo"))
S3 = record("myrecord", field("f1", STRING), field("f2", STRING))
S4 = record("myrecord", field("f1_new", STRING, aliases=["f1"]))
S6 = record("myrecord", field("f1", [NULL, STRING], doc="doc of f1"))
S7 = record("myrecord", field("f1", [NULL, STRING, INT], doc="doc of f1"))
S8 = record("myrecord", field("f1", STRING), field("f2", STRING, default="foo"),
            field("f3", STRING, default="bar"))  # fmt: skip
BAD_DEFAULT_NULL = record("myrecord", field("f1", [NULL, STRING], default="null"),
                          field("f2", STRING, default="foo"), field("f3", STRING, default="bar"))  # fmt: skip

# (mode, new, earlier (oldest first), compatible)
CONFLUENT: list[tuple[str, Any, list[Any], bool]] = [
    # testBasicBackwardsCompatibility
    ("BACKWARD", S2, [S1], True),
    ("BACKWARD", S3, [S1], False),
    ("BACKWARD", S4, [S1], True),
    ("BACKWARD", S6, [S1], True),
    ("BACKWARD", S1, [S6], False),
    ("BACKWARD", S7, [S6], True),
    ("BACKWARD", S6, [S7], False),
    ("BACKWARD", S3, [S1, S2], True),
    # testBasicBackwardsTransitiveCompatibility
    ("BACKWARD_TRANSITIVE", S8, [S1, S2], True),
    ("BACKWARD_TRANSITIVE", S2, [S1], True),
    ("BACKWARD_TRANSITIVE", S3, [S2], True),
    ("BACKWARD_TRANSITIVE", S3, [S2, S1], False),
    # testBasicForwardsCompatibility
    ("FORWARD", S2, [S1], True),
    ("FORWARD", S3, [S1], True),
    ("FORWARD", S3, [S2], True),
    ("FORWARD", S2, [S3], True),
    ("FORWARD", S1, [S3, S2], True),
    # testBasicForwardsTransitiveCompatibility
    ("FORWARD_TRANSITIVE", S1, [S8, S2], True),
    ("FORWARD_TRANSITIVE", S2, [S3], True),
    ("FORWARD_TRANSITIVE", S1, [S2], True),
    ("FORWARD_TRANSITIVE", S1, [S2, S3], False),
    # testBasicFullCompatibility
    ("FULL", S2, [S1], True),
    ("FULL", S3, [S1, S2], True),
    ("FULL", S1, [S3, S2], True),
    # testBasicFullTransitiveCompatibility
    ("FULL_TRANSITIVE", S8, [S1, S2], True),
    ("FULL_TRANSITIVE", S1, [S8, S2], True),
    ("FULL_TRANSITIVE", S2, [S3], True),
    ("FULL_TRANSITIVE", S1, [S2], True),
    ("FULL_TRANSITIVE", S2, [S1], True),
    ("FULL_TRANSITIVE", S3, [S2], True),
    ("FULL_TRANSITIVE", S3, [S2, S1], False),
    ("FULL_TRANSITIVE", S1, [S2, S3], False),
    # AvroSchemaTest.testEnumCompatibility: a symbol removed is not backward compatible
    ("BACKWARD", enum("Suit", "SPADES", "HEARTS", "DIAMONDS"),
     [enum("Suit", "SPADES", "HEARTS", "DIAMONDS", "CLUBS")], False),
]  # fmt: skip

# -- Recursive schemas of our own, checked under every mode -------------------------------
NODE_V1 = record("Node", field("value", INT), field("next", [NULL, "Node"], default=None))
NODE_V2 = record("Node", field("value", LONG), field("next", [NULL, "Node"], default=None),
                 field("label", STRING, default=""))  # fmt: skip
TREE_V1 = record("Tree", field("value", INT), field("children", array("Tree")))
TREE_V2 = record("Tree", field("value", INT), field("children", array("Tree")),
                 field("weight", DOUBLE))  # fmt: skip
TREE_V3 = record("Tree", field("value", INT), field("children", array("Tree")),
                 field("weight", DOUBLE, default=1.0))  # fmt: skip
PERSON_V1 = record("Person", field("name", STRING), field("employer", [NULL, record(
    "Company", field("name", STRING), field("staff", array("Person")))], default=None),
    namespace="org.people")  # fmt: skip
PERSON_V2 = record("Person", field("name", STRING), field("employer", [NULL, record(
    "Company", field("name", STRING), field("staff", array("Person")), field("founded", INT))],
    default=None), namespace="org.people")  # fmt: skip
RENAMED_NODE = record("Link", field("value", INT), field("next", [NULL, "Link"], default=None),
                      aliases=["Node"])  # fmt: skip

# (mode, new, earlier, [(kind, path, direction)])
RECURSIVE: list[tuple[str, Any, list[Any], list[tuple[str, str, str]]]] = [
    ("FULL", NODE_V1, [NODE_V1], []),
    ("BACKWARD", NODE_V2, [NODE_V1], []),
    ("FORWARD", NODE_V2, [NODE_V1], [(N, "value", "forward")]),
    ("FULL", NODE_V1, [NODE_V2], [(N, "value", "backward")]),
    ("BACKWARD", TREE_V2, [TREE_V1], [("FIELD_ADDED_WITHOUT_DEFAULT", "weight", "backward")]),
    ("FORWARD", TREE_V1, [TREE_V2], [("FIELD_REMOVED_WITHOUT_DEFAULT", "weight", "forward")]),
    ("FULL_TRANSITIVE", TREE_V3, [TREE_V1, TREE_V1], []),
    ("FULL", PERSON_V2, [PERSON_V1],
     [("FIELD_ADDED_WITHOUT_DEFAULT", "employer<Company>.founded", "backward")]),
    ("FULL", PERSON_V1, [PERSON_V1], []),
    ("BACKWARD", RENAMED_NODE, [NODE_V1], []),
    ("FORWARD", RENAMED_NODE, [NODE_V1], [("NAME_MISMATCH", "", "forward")]),
]  # fmt: skip
