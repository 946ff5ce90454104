"""A real pseudo-terminal running ``schemacat shell``, read through a VT100 screen emulator.

pexpect gives the program a pty; pyte renders what it writes (cursor moves,
clears, colors) into the screen a user would see, so tests assert on that
screen rather than on escape sequences.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pexpect
import pyte

ROWS, COLUMNS = 50, 160


class Terminal:
    def __init__(self, *args: str, home: Path, env: dict[str, str] | None = None) -> None:
        self.screen = pyte.Screen(COLUMNS, ROWS)
        self.stream = pyte.ByteStream(self.screen)
        environment = {
            **{k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "SCHEMACAT_PAGER")},
            "TERM": "xterm",
            "PAGER": "",  # no pager, unless a test sets one
            "XDG_DATA_HOME": str(home),  # the history file goes here
            "PROMPT_TOOLKIT_NO_CPR": "1",  # pyte does not answer cursor position requests
            **(env or {}),
        }
        self.child = pexpect.spawn(
            sys.executable,
            ["-m", "catalog", *args],
            env=environment,
            dimensions=(ROWS, COLUMNS),
            timeout=30,
        )

    def send(self, text: str) -> None:
        self.child.send(text)

    def enter(self, line: str = "") -> None:
        self.child.send(line + "\r")

    def control(self, key: str) -> None:
        self.child.sendcontrol(key)

    def text(self) -> str:
        return "\n".join(line.rstrip() for line in self.screen.display)

    def wait_for(self, needle: str, timeout: float = 30) -> str:
        """Read until the screen shows ``needle``; the screen then."""
        deadline = time.monotonic() + timeout
        while needle not in self.text():
            if time.monotonic() > deadline:
                raise AssertionError(f"{needle!r} not on the screen:\n{self.text()}")
            self._read(0.05)
        return self.text()

    def clear(self) -> None:
        """Forget what is on the screen (the program's next output is drawn anew)."""
        self.screen.reset()

    def close(self) -> int:
        self.child.sendcontrol("d")
        self.child.expect(pexpect.EOF, timeout=10)
        self.child.close()
        return int(self.child.exitstatus or 0)

    def _read(self, timeout: float) -> bool:
        try:
            data = self.child.read_nonblocking(65536, timeout=timeout)
        except pexpect.TIMEOUT:
            return False
        except pexpect.EOF:
            return False
        self.stream.feed(data)
        return True
