"""``schemacat passwd NAME --role ROLE``: one users-file line from a password on stdin
(piped, or typed twice on a terminal), refused names and passwords with clear errors.
That ``schemacat serve`` accepts the line is in tests/server/test_auth.py."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pexpect
import pytest
from argon2 import PasswordHasher

from catalog.server.users import read_users
from tests.cli.process import schemacat

PASSWORD = "correct horse battery staple"


def passwd(tmp_path: Path, *args: str, password: str) -> tuple[int, str, str]:
    stdin = tmp_path / "stdin"
    stdin.write_text(password)
    done = schemacat("passwd", *args, stdin=stdin)
    return done.returncode, done.stdout, done.stderr


def test_a_piped_password_makes_one_salted_line(tmp_path: Path) -> None:
    code, out, err = passwd(tmp_path, "producer", "--role", "write", password=PASSWORD + "\n")
    assert (code, err) == (0, "")
    name, hashed, role = out.strip().split(":")
    assert (name, role) == ("producer", "write")
    assert hashed.startswith("$argon2id$") and PASSWORD not in out
    assert PasswordHasher().verify(hashed, PASSWORD)  # the line ending is not the password's
    (tmp_path / "users").write_text(out)
    assert [(u.name, u.role) for u in read_users(tmp_path / "users").users] == [
        ("producer", "write")
    ]
    _, again, _ = passwd(tmp_path, "producer", "--role", "write", password=PASSWORD)
    assert again.split(":")[1] != hashed  # salted: the same password hashes differently


@pytest.mark.parametrize("name", ["a:b", "two words", "tab\there", "#comment", ""])
def test_a_name_a_users_file_cannot_hold_is_refused(tmp_path: Path, name: str) -> None:
    code, out, err = passwd(tmp_path, name, "--role", "read", password=PASSWORD)
    assert code != 0 and out == ""
    assert "cannot be a user name" in err and "':'" in err


def test_an_empty_password_and_an_unknown_role_are_refused(tmp_path: Path) -> None:
    code, out, err = passwd(tmp_path, "alice", "--role", "read", password="\n")
    assert (code, out) == (1, "") and "error: the password is empty" in err
    code, out, err = passwd(tmp_path, "alice", "--role", "owner", password=PASSWORD)
    assert (code, out) == (2, "") and "invalid choice: 'owner'" in err


def spawn_passwd(*args: str) -> pexpect.spawn:
    return pexpect.spawn(
        sys.executable, ["-m", "catalog", "passwd", *args], env={**os.environ}, timeout=30
    )


def test_on_a_terminal_the_password_is_asked_twice_and_not_echoed() -> None:
    child = spawn_passwd("alice", "--role", "admin")
    child.expect("password: ")
    child.sendline(PASSWORD)
    child.expect("password again: ")
    child.sendline(PASSWORD)
    child.expect(pexpect.EOF)
    child.close()
    shown = child.before.decode()
    assert child.exitstatus == 0 and PASSWORD not in shown
    name, hashed, role = shown.strip().splitlines()[-1].split(":")
    assert (name, role) == ("alice", "admin") and PasswordHasher().verify(hashed, PASSWORD)


def test_on_a_terminal_two_different_passwords_print_nothing() -> None:
    child = spawn_passwd("alice", "--role", "admin")
    child.expect("password: ")
    child.sendline(PASSWORD)
    child.expect("password again: ")
    child.sendline(PASSWORD + "!")
    child.expect(pexpect.EOF)
    child.close()
    shown = child.before.decode()
    assert child.exitstatus == 1 and "the two passwords differ" in shown
    assert "$argon2" not in shown


def test_a_password_that_is_not_utf8_is_a_clear_error(tmp_path: Path) -> None:
    stdin = tmp_path / "stdin"
    stdin.write_bytes(b"\xff\xfe\n")
    done = schemacat("passwd", "bin", "--role", "read", stdin=stdin)
    assert (done.returncode, done.stdout) == (1, "")
    assert "error: the password read from stdin is not UTF-8 text" in done.stderr
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr
