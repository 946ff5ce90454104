"""Writing schemacat's nodes back as SQL, in one canonical spelling that parses to an equal node."""

from __future__ import annotations

from sqlglot import exp
from sqlglot.generators.duckdb import DuckDBGenerator

from catalog.sql import nodes as n


class StreamGenerator(DuckDBGenerator):
    """Generates each node back into the statement it was parsed from (canonical spelling)."""

    def stream_options(self, options: list[n.Option] | None) -> str:
        return (
            "("
            + ", ".join(f"{self.sql(o, 'this')} = {self.sql(o, 'value')}" for o in options or ())
            + ")"
        )

    def stream_column_sql(self, column: n.StreamColumn) -> str:
        parts = [self.sql(column, "this"), self.sql(column, "kind")]
        role = column.args.get("role")
        if role == "HEADER":
            parts.append(f"HEADER({self.sql(column, 'header')})")
        elif role:
            parts.append(str(role))
        if column.args.get("not_null"):
            parts.append("NOT NULL")
        if column.args.get("default") is not None:
            parts.append(f"DEFAULT {self.sql(column, 'default')}")
        if column.args.get("comment") is not None:
            parts.append(f"COMMENT {self.sql(column, 'comment')}")
        return " ".join(parts)

    def stream_create_sql(self, e: n.CreateStream) -> str:
        sql = "CREATE " + ("OR REPLACE " if e.args.get("replace") else "") + "STREAM "
        sql += ("IF NOT EXISTS " if e.args.get("exists") else "") + self.sql(e, "this")
        if e.args.get("columns"):
            sql += " (" + ", ".join(self.stream_column_sql(c) for c in e.args["columns"]) + ")"
        if e.args.get("options"):
            sql += " WITH " + self.stream_options(e.args["options"])
        if e.args.get("query"):
            sql += " AS " + self.sql(e, "query")
        return sql + (" EMIT CHANGES" if e.args.get("emit") else "")

    def stream_alter_sql(self, e: n.AlterStream) -> str:
        return f"ALTER STREAM {self.sql(e, 'this')} " + ", ".join(
            self.stream_action_sql(a) for a in e.args["actions"]
        )

    def stream_action_sql(self, a: exp.Expression) -> str:
        exists = a.args.get("exists")
        if isinstance(a, n.AddColumn):
            return (
                "ADD COLUMN "
                + ("IF NOT EXISTS " if exists else "")
                + self.stream_column_sql(a.this)
            )
        if isinstance(a, n.DropColumn):
            return "DROP COLUMN " + ("IF EXISTS " if exists else "") + self.sql(a, "this")
        if isinstance(a, n.RenameColumn):
            return f"RENAME COLUMN {self.sql(a, 'this')} TO {self.sql(a, 'to')}"
        if isinstance(a, n.AlterColumnType):
            return f"ALTER COLUMN {self.sql(a, 'this')} TYPE {self.sql(a, 'kind')}"
        if isinstance(a, n.AlterColumnDefault):
            default = a.args.get("default")
            change = f"SET DEFAULT {self.sql(default)}" if default is not None else "DROP DEFAULT"
            return f"ALTER COLUMN {self.sql(a, 'this')} {change}"
        if isinstance(a, n.AlterColumnNullability):
            change = "SET NOT NULL" if a.args.get("not_null") else "DROP NOT NULL"
            return f"ALTER COLUMN {self.sql(a, 'this')} {change}"
        if isinstance(a, n.SetStreamOptions):
            return "SET " + self.stream_options(a.args["options"])
        return "REFRESH"

    def stream_describe_sql(self, e: n.DescribeStream | n.DescribeSource) -> str:
        if isinstance(e, n.DescribeSource):
            options = e.args.get("options")
            return f"DESCRIBE {self.sql(e, 'this')}" + (
                f" WITH {self.stream_options(options)}" if options else ""
            )
        sql = "DESCRIBE " + ("EXTENDED " if e.args.get("extended") else "") + self.sql(e, "this")
        return sql + (f" VERSION {self.sql(e, 'version')}" if e.args.get("version") else "")

    TRANSFORMS = {  # noqa: RUF012 (sqlglot's table of how each node is written)
        **DuckDBGenerator.TRANSFORMS,
        n.CreateStream: stream_create_sql,
        n.AlterStream: stream_alter_sql,
        n.DropStream: lambda self, e: (
            "DROP STREAM " + ("IF EXISTS " if e.args.get("exists") else "") + self.sql(e, "this")
        ),
        n.ValidateStream: lambda self, e: f"VALIDATE STREAM {self.sql(e, 'this')}",
        n.ShowStreams: lambda self, e: "SHOW STREAMS",
        n.ShowSchemas: lambda self, e: "SHOW SCHEMAS",
        n.ShowTopics: lambda self, e: (
            "SHOW TOPICS" + (f" FROM {self.sql(e, 'this')}" if e.this else "")
        ),
        n.ShowCreateStream: lambda self, e: f"SHOW CREATE STREAM {self.sql(e, 'this')}",
        n.ShowSchemaVersions: lambda self, e: f"SHOW SCHEMA VERSIONS FOR {self.sql(e, 'this')}",
        n.ShowSchemaCompatibility: lambda self, e: (
            f"SHOW SCHEMA COMPATIBILITY FOR {self.sql(e, 'this')}"
        ),
        n.DescribeStream: stream_describe_sql,
        n.DescribeSource: stream_describe_sql,
        n.SetSetting: lambda self, e: f"SET {self.sql(e, 'this')} = {self.sql(e, 'value')}",
        n.Define: lambda self, e: f"DEFINE {self.sql(e, 'this')} = {self.sql(e, 'value')}",
        n.RunScript: lambda self, e: f"RUN SCRIPT {self.sql(e, 'this')}",
    }
