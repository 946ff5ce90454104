"""``schemacat shell`` in a real pseudo-terminal: statements, tables, completion, Ctrl-C."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.process import schemacat
from tests.cli.terminal import Terminal
from tests.providers.kafka_util import Out, create_topic, produce
from tests.services import Service


@pytest.fixture
def shell(tmp_path: Path) -> Iterator[Terminal]:
    terminal = Terminal("--catalog", str(tmp_path / "cat.db"), "shell", home=tmp_path / "home")
    terminal.wait_for("schemacat>")
    yield terminal
    terminal.child.terminate(force=True)


def test_statements_tables_completion_and_errors(shell: Terminal, tmp_path: Path) -> None:
    shell.enter("CREATE STREAM orders (id BIGINT NOT NULL,")  # no ; yet: the statement goes on
    shell.wait_for("->")
    shell.enter("  note VARCHAR COMMENT 'a ; inside a string');")
    shell.wait_for("stream orders: version 1, 2 columns, declared")
    shell.send("DESCRIBE ord\t")  # a stream name
    shell.wait_for("DESCRIBE orders")
    shell.enter(";")
    screen = shell.wait_for("(2 rows)")
    assert "note     VARCHAR   true       NULL      a ; inside a string" in screen
    shell.send("ALTER STREAM orders ALTER COLUMN no\t")  # a column of the stream named
    shell.wait_for("ALTER COLUMN note")
    shell.send(" SET DEF\t")  # a keyword
    shell.wait_for("SET DEFAULT")
    shell.enter(" 'none';")
    shell.wait_for("stream orders: version 2")
    shell.send("CREATE STREAM s WITH (sample_\t")  # a WITH key
    shell.wait_for("WITH (sample_size")
    shell.send(" = 5, datasource = 'kaf\t")  # a URI scheme
    shell.wait_for("datasource = 'kafka://")
    shell.control("c")  # at the prompt: the line is dropped
    shell.clear()
    shell.enter("DESCRIBE ordres VERSION 1;")
    screen = shell.wait_for("hint:")
    assert "error: stream 'ordres' does not exist" in screen
    assert "DESCRIBE ordres VERSION 1;\n           ^\nhint: did you mean orders?" in screen
    assert "Traceback" not in screen
    shell.clear()
    shell.enter("\\timing")
    shell.enter("\\format json")
    shell.enter("\\d orders")
    screen = shell.wait_for("Time:")
    unwrapped = screen.replace("\n", "")  # the JSON line is wider than the terminal
    assert '{"statement": "DESCRIBE", "columns": ["column", "type",' in unwrapped
    assert '"default": "\'none\'"' in unwrapped
    assert shell.close() == 0
    history = (tmp_path / "home" / "schemacat" / "history").read_text()
    assert "CREATE STREAM orders (id BIGINT NOT NULL," in history
    assert "\\format json" in history


def test_help_and_long_results(shell: Terminal) -> None:
    shell.enter("\\help show schema")
    screen = shell.wait_for("Ctrl-D too")
    assert "SHOW SCHEMA VERSIONS FOR name" in screen
    assert "ALTER STREAM" not in screen
    shell.clear()
    shell.enter(";".join(f"CREATE STREAM s{i:02} (id INT)" for i in range(45)) + ";")
    shell.wait_for("stream s44")
    shell.enter("\\maxrows 40")
    shell.wait_for("Results are cut after 40 rows.")
    shell.clear()
    shell.enter("SHOW SCHEMAS;")
    screen = shell.wait_for("rows")
    assert "(45 rows, 5 more rows not shown)" in screen
    assert " s39 " in screen and " s40 " not in screen


def test_long_results_go_through_the_pager_and_wide_rows_expand(tmp_path: Path) -> None:
    paged = tmp_path / "paged.txt"
    shell = Terminal(
        "--catalog",
        str(tmp_path / "cat.db"),
        "shell",
        home=tmp_path / "home",
        env={"PAGER": f"cat > {paged}"},
    )
    try:
        shell.wait_for("schemacat>")
        shell.enter(";".join(f"CREATE STREAM s{i:02} (id INT)" for i in range(60)) + ";")
        shell.wait_for("stream s59")
        shell.clear()
        shell.enter("SHOW SCHEMAS;")  # 60 rows: longer than the 50-line screen
        deadline = time.monotonic() + 30
        while not (paged.exists() and "rows)" in paged.read_text()):
            assert time.monotonic() < deadline, shell.text()
            time.sleep(0.05)
        text = paged.read_text()
        assert " s00 " in text and " s59 " in text and "(60 rows)" in text
        assert "(60 rows)" not in shell.text()
        shell.enter("\\pager off")
        shell.enter("\\maxrows 10")
        shell.clear()
        shell.enter("SHOW SCHEMAS;")
        assert "(60 rows, 50 more rows not shown)" in shell.wait_for("not shown")
        long_comment = "a comment much wider than the screen " * 5
        shell.enter(f"CREATE STREAM wide (id INT COMMENT '{long_comment}', v INT);")
        shell.enter("\\x auto")
        shell.clear()
        shell.enter("DESCRIBE wide;")
        screen = shell.wait_for("(2 rows)")
        assert "-[ RECORD 1 ]" in screen and "column   | id" in screen
        assert f"comment  | {long_comment[:100]}" in screen
        shell.clear()
        shell.enter("DESCRIBE s01;")  # narrow: a table
        screen = shell.wait_for("(1 row)")
        assert "RECORD" not in screen and "INTEGER" in screen
        shell.enter("\\x nope")
        assert "error: \\x takes on, off or auto, not 'nope'" in shell.wait_for("not 'nope'")
    finally:
        shell.child.terminate(force=True)


def test_scripts_and_piped_input_are_never_cut(tmp_path: Path) -> None:
    wide = tmp_path / "wide.csv"
    wide.write_text(",".join(f"c{i}" for i in range(1100)) + "\n" + ",".join(["1"] * 1100) + "\n")
    script = tmp_path / "s.sql"
    script.write_text(f"DESCRIBE '{wide}';\n")
    for out in (
        schemacat("--catalog", str(tmp_path / "c.db"), "run", str(script)),
        schemacat("--catalog", str(tmp_path / "c.db"), "shell", stdin=script),
    ):
        assert out.returncode == 0, out.stderr
        assert "| c1099 " in out.stdout and "(1100 rows)" in out.stdout
        assert "not shown" not in out.stdout


@pytest.fixture(scope="module")
async def big_topic(kafka: Service) -> str:
    """A topic large enough that sampling all of it takes seconds."""
    name = f"big-{uuid.uuid4().hex[:8]}"
    await create_topic(kafka.address, name, 1)
    payload = "x" * 2000
    values = [json.dumps({"id": i, "payload": payload}).encode() for i in range(80_000)]
    await produce(kafka.address, name, [Out(v) for v in values])
    return f"kafka://{kafka.address}/{name}"


def test_ctrl_c_cancels_a_slow_discovery(shell: Terminal, big_topic: str) -> None:
    topic = big_topic.rsplit("/", 1)[1]
    shell.enter(f"CREATE STREAM big WITH (datasource = '{big_topic}', sample_size = 80000);")
    shell.wait_for(f"sampling kafka://…/{topic}:")  # the spinner, after half a second
    shell.control("c")
    screen = shell.wait_for("cancelled")
    assert "cancelled; the interrupted statement changed nothing" in screen
    shell.clear()
    shell.enter("SHOW STREAMS;")
    assert "(0 rows)" in shell.wait_for("rows)")


def test_completion_asks_the_broker_for_its_topics(shell: Terminal, big_topic: str) -> None:
    shell.send(f"DESCRIBE '{big_topic[:-3]}\t")  # the topic's name, but for its end
    shell.wait_for(f"DESCRIBE '{big_topic}")


def test_piped_input_runs_as_a_script(tmp_path: Path) -> None:
    script = tmp_path / "s.sql"
    script.write_text("CREATE STREAM a (id INT);\nDESCRIBE b;\n")
    out = schemacat("--catalog", str(tmp_path / "c.db"), "shell", stdin=script)
    assert out.returncode == 1
    assert out.stdout == "stream a: version 1, 1 column, declared\n"
    assert out.stderr.startswith("<stdin>:2:10: error: stream 'b' does not exist\n")


def test_piped_input_takes_backslash_commands(tmp_path: Path) -> None:
    """As psql and the DuckDB CLI do; a backslash line inside a statement is the statement's."""
    script = tmp_path / "s.sql"
    script.write_text(
        "\\format csv\n"
        "CREATE STREAM a (id INT COMMENT 'first line\n"
        "\\d is still the comment',\n"
        "  x INT);\n"
        "\\d a\n"
        "\\q\n"
        "DESCRIBE nothing_after_quit;\n"
    )
    db = str(tmp_path / "c.db")
    out = schemacat("--catalog", db, "shell", stdin=script)
    assert (out.returncode, out.stderr) == (0, "")
    assert out.stdout == (
        "Output format is csv.\n"
        "stream a: version 1, 2 columns, declared\n"
        "column,type,nullable,default,comment\n"
        'id,INTEGER,true,,"first line\n\\d is still the comment"\n'
        "x,INTEGER,true,,\n"
    )
    script.write_text("\\d\nDESCRIBE b;\n")
    failed = schemacat("--catalog", db, "shell", stdin=script)
    assert failed.returncode == 1
    assert failed.stderr.startswith("<stdin>:2:10: error: stream 'b' does not exist\n")
    script.write_text("\\nope\nDESCRIBE a;\n")
    unknown = schemacat("--catalog", db, "shell", stdin=script)
    assert (unknown.returncode, unknown.stdout) == (1, "")
    assert unknown.stderr.startswith("error: unknown command \\nope")


def test_no_color_means_no_color(tmp_path: Path) -> None:
    shell = Terminal(
        "--catalog", str(tmp_path / "c.db"), "shell", home=tmp_path, env={"NO_COLOR": "1"}
    )
    try:
        shell.wait_for("schemacat>")
        shell.enter("CREATE STREAM s (id BIGINT); DESCRIBE s;")
        shell.wait_for("(1 row)")
        colors = {cell.fg for line in shell.screen.buffer.values() for cell in line.values()}
        assert colors == {"default"}
    finally:
        shell.child.terminate(force=True)
