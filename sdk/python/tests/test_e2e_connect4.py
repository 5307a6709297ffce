"""The example game end to end: the Python Connect Four bot (examples/connect4/python) plays the
TypeScript game against a TypeScript bot, all as real processes through the real broker."""
from __future__ import annotations

import json
import subprocess
import sys
from typing import Dict, List

import pytest

from conftest import ROOT, Broker, bun_path

EXAMPLE = ROOT / "examples/connect4"
MATCH_TIMEOUT_S = 60.0


def spawn(command: List[str]) -> "subprocess.Popen[str]":
    return subprocess.Popen(command, cwd=ROOT, text=True, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def finish(proc: "subprocess.Popen[str]") -> "tuple[int, str, str]":
    """Waits (bounded) for a process; kills it and fails the test if it overruns."""
    try:
        out, err = proc.communicate(timeout=MATCH_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        pytest.fail(f"{proc.args} did not finish in {MATCH_TIMEOUT_S} s\n{out}\n{err}")
    return proc.returncode, out, err


def python_bot(broker: Broker, kind: str, name: str, seed: int) -> "subprocess.Popen[str]":
    return spawn([sys.executable, str(EXAMPLE / "python/bot.py"), "--port", str(broker.port),
                  "--kind", kind, "--name", name, "--seed", str(seed)])


def ts_bot(broker: Broker, kind: str, name: str, seed: int) -> "subprocess.Popen[str]":
    return spawn([bun_path(), "examples/connect4/bot.ts", "--port", str(broker.port),
                  "--kind", kind, "--name", name, "--seed", str(seed)])


@pytest.mark.parametrize("first, second", [
    (("python", "smart", "PySmart"), ("ts", "random", "TsRandom")),
    (("ts", "smart", "TsSmart"), ("python", "random", "PyRandom")),
    (("python", "smart", "PySmartA"), ("ts", "smart", "TsSmartB")),
], ids=["python-smart-first", "ts-smart-first", "smart-vs-smart"])
def test_the_python_bot_plays_the_typescript_game_against_a_typescript_bot(broker_factory, first, second) -> None:
    if not (EXAMPLE / "game.ts").exists():
        pytest.fail("examples/connect4/game.ts is missing")
    broker = broker_factory(2, BROKER_MATCHES="1", BROKER_MOVE_TIMEOUT_MS="5000")
    game = spawn([bun_path(), "examples/connect4/game.ts", "--host", "127.0.0.1", "--port", str(broker.port)])
    bots = []
    for seat, (language, kind, name) in enumerate((first, second)):
        start = python_bot if language == "python" else ts_bot
        bots.append(start(broker, kind, name, seed=7 + seat))
        # Seat order decides who moves first (PROTOCOL.md §4); wait for this seat before the next.
        broker.wait_for_log(lambda l, n=name: l.get("event") == "seat taken" and l.get("name") == n)
    code, out, err = finish(game)
    assert code == 0, f"game failed\n{out}\n{err}"
    result: Dict[str, object] = json.loads(out.strip().splitlines()[-1])
    for proc in bots:
        bot_code, bot_out, bot_err = finish(proc)
        assert bot_code == 0, f"{proc.args} failed\n{bot_out}\n{bot_err}"
    assert result["forfeit"] is False, result  # every move of both bots was legal
    assert result["result"] in ("win", "draw") and 7 <= int(result["moves"]) <= 42  # type: ignore[call-overload]
    if result["result"] == "win":
        assert result["name"] == (first, second)[int(result["winner"])][2]  # type: ignore[call-overload]
    ended = broker.wait_for_log(lambda l: l.get("event") == "match ended")
    assert ended["code"] == "normal" and ended["turns"] == result["moves"]


def test_the_python_bot_reports_an_aborted_match_with_exit_status_1(broker_factory) -> None:
    broker = broker_factory(2, BROKER_MATCHES="1")
    game = spawn([bun_path(), "examples/connect4/game.ts", "--port", str(broker.port)])
    bot = python_bot(broker, "smart", "Abandoned", seed=1)
    broker.wait_for_log(lambda l: l.get("event") == "seat taken")
    leaver = ts_bot(broker, "random", "Leaver", seed=1)
    broker.wait_for_log(lambda l: l.get("event") == "match started")
    leaver.kill()  # a bot vanishing mid-match aborts it (PROTOCOL.md §6)
    leaver.communicate(timeout=MATCH_TIMEOUT_S)
    bot_code, _, bot_err = finish(bot)
    game_code, _, _ = finish(game)
    assert bot_code == 1 and "match aborted" in bot_err and "Leaver" in bot_err, bot_err
    assert game_code == 1
