"""Fixtures: the real broker (`bun src/main.ts`) on free 127.0.0.1 ports, and thread helpers.

The broker is SIGTERMed at teardown; every wait here is bounded.
"""
from __future__ import annotations

import json
import logging
import os
import queue
import shutil
import signal
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional

import pytest

ROOT = Path(__file__).resolve().parents[3]
START_TIMEOUT_S = 20.0
STOP_TIMEOUT_S = 5.0


def bun_path() -> str:
    """Bun from PATH, else the pinned one in node_modules/.bin."""
    local = ROOT / "node_modules/.bin/bun"
    found = shutil.which("bun") or (str(local) if local.exists() else None)
    if found is None:
        pytest.fail("bun not found: run `npm ci` in the repository root")
    return found


@dataclass
class Broker:
    """A running broker process and the JSON lines it logged."""

    proc: "subprocess.Popen[str]"
    port: int = 0
    health_port: int = 0
    logs: List[Dict[str, Any]] = field(default_factory=list)
    _lines: "queue.Queue[Optional[Dict[str, Any]]]" = field(default_factory=queue.Queue)

    def wait_for_log(self, match: Callable[[Dict[str, Any]], bool], timeout_s: float = 10.0) -> Dict[str, Any]:
        """The first log line (already seen or still to come) that matches; fails after timeout_s."""
        for line in self.logs:
            if match(line):
                return line
        while True:
            try:
                line = self._lines.get(timeout=timeout_s)
            except queue.Empty:
                pytest.fail(f"no matching broker log line within {timeout_s} s; saw {self.logs}")
            if line is None:
                pytest.fail(f"broker exited (code {self.proc.poll()}); logs: {self.logs}")
            if match(line):
                return line

    def stop(self) -> Optional[int]:
        """SIGTERM, then SIGKILL if it has not exited within STOP_TIMEOUT_S; returns its exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=STOP_TIMEOUT_S)
        return self.proc.returncode


def _pump(broker: Broker) -> None:
    assert broker.proc.stdout is not None
    for raw in broker.proc.stdout:
        try:
            line = json.loads(raw)
        except ValueError:
            line = {"level": "raw", "event": raw.rstrip("\n")}
        broker.logs.append(line)
        broker._lines.put(line)
    broker._lines.put(None)


def start_broker(num_players: int, **settings: str) -> Broker:
    """Starts the broker with BROKER_NUM_PLAYERS=num_players and extra env settings."""
    env = dict(os.environ)
    # Records off unless a test sets BROKER_DB: brokers started at once must not share (and lock)
    # the default file in the repository.
    env.update({"BROKER_HOST": "127.0.0.1", "BROKER_PORT": "0", "BROKER_HEALTH_PORT": "0",
                "LOG_FORMAT": "json", "BROKER_DB": "off", "BROKER_NUM_PLAYERS": str(num_players), **settings})
    proc = subprocess.Popen([bun_path(), "src/main.ts"], cwd=ROOT, env=env, text=True,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    broker = Broker(proc)
    threading.Thread(target=_pump, args=(broker,), daemon=True).start()
    try:
        listening = broker.wait_for_log(lambda l: l.get("event") == "listening", START_TIMEOUT_S)
    except BaseException:
        broker.stop()
        raise
    broker.port = int(listening["port"])
    broker.health_port = int(listening["healthPort"])
    return broker


@pytest.fixture
def broker_factory() -> Iterator[Callable[..., Broker]]:
    """Call it as ``broker_factory(num_players, BROKER_MOVE_TIMEOUT_MS="300", ...)``."""
    started: List[Broker] = []

    def factory(num_players: int = 2, **settings: str) -> Broker:
        broker = start_broker(num_players, **settings)
        started.append(broker)
        return broker

    yield factory
    for broker in started:
        broker.stop()


class Runner:
    """Runs a callable in a daemon thread and keeps its result or exception."""

    def __init__(self, target: Callable[[], Any], name: str = "runner") -> None:
        self.result: Any = None
        self.error: Optional[BaseException] = None
        self._thread = threading.Thread(target=self._run, args=(target,), name=name, daemon=True)
        self._thread.start()

    def _run(self, target: Callable[[], Any]) -> None:
        try:
            self.result = target()
        except BaseException as error:  # kept for the test to assert on
            self.error = error

    def join(self, timeout_s: float = 20.0) -> "Runner":
        """Waits for the thread; fails the test if it is still running after timeout_s."""
        self._thread.join(timeout_s)
        if self._thread.is_alive():
            pytest.fail(f"{self._thread.name} still running after {timeout_s} s")
        return self


class LogWatch(logging.Handler):
    """Keeps every record of the "bitbroker" logger (any thread) and lets a test wait for one."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: List[logging.LogRecord] = []
        self._changed = threading.Condition()

    def emit(self, record: logging.LogRecord) -> None:
        with self._changed:
            self.records.append(record)
            self._changed.notify_all()

    def messages(self) -> List[str]:
        with self._changed:
            return [r.getMessage() for r in self.records]

    def wait_for(self, match: Callable[[str], bool], timeout_s: float = 10.0) -> str:
        """The first message (already logged or still to come) that matches; fails after timeout_s."""
        with self._changed:
            found: List[str] = []

            def seen() -> bool:
                found[:] = [r.getMessage() for r in self.records if match(r.getMessage())]
                return bool(found)

            if not self._changed.wait_for(seen, timeout_s):
                pytest.fail(f"no matching bitbroker log record within {timeout_s} s; saw {self.messages()}")
            return found[0]


@pytest.fixture
def sdk_log() -> Iterator[LogWatch]:
    """The SDK's log records, at debug and above, while the test runs."""
    logger = logging.getLogger("bitbroker")
    watch = LogWatch()
    old_level = logger.level
    logger.addHandler(watch)
    logger.setLevel(logging.DEBUG)
    yield watch
    logger.removeHandler(watch)
    logger.setLevel(old_level)
