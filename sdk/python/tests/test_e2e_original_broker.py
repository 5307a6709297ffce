"""Our Python bots and game, Hello bodies and all, play whole matches through the ORIGINAL broker
(`bitbroker` 0.1.0's own run_broker, built by cargo as test/interop's `original_broker`), which
sends no Welcome and ignores hello bodies (docs/PROTOCOL.md §9). Real processes and sockets."""
from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
from pathlib import Path
from typing import Iterator, List, Tuple

import pytest

from conftest import ROOT, LogWatch, Runner
from players import RUN, AsyncCounterBot, AsyncCountingGame, CounterBot, CountingGame

BUILD_TIMEOUT_S = 900.0
EXIT_TIMEOUT_S = 20.0
INTEROP = ROOT / "test/interop/Cargo.toml"


@pytest.fixture(scope="session")
def original_broker_bin() -> Path:
    """Builds (or finds up to date) test/interop's original_broker with cargo."""
    cargo = shutil.which("cargo")
    if cargo is None:
        pytest.fail("cargo not found: the original broker is built from test/interop with cargo")
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    env = {**os.environ, "CARGO_TARGET_DIR": str(target)}
    result = subprocess.run([cargo, "build", "--locked", "--quiet", "--manifest-path", str(INTEROP),
                             "--bin", "original_broker"], env=env, capture_output=True, text=True,
                            timeout=BUILD_TIMEOUT_S)
    assert result.returncode == 0, result.stderr
    return target / "debug" / "original_broker"


@pytest.fixture
def original_broker(original_broker_bin: Path) -> Iterator[Tuple["subprocess.Popen[str]", int]]:
    """Starts the original broker for 2 bots on a free port; yields it and its port."""
    proc = subprocess.Popen([str(original_broker_bin), "2", "0"], text=True, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None
    first = Runner(proc.stdout.readline, "original broker's port line").join(EXIT_TIMEOUT_S).result
    assert isinstance(first, str) and first.startswith("port "), first
    yield proc, int(first.split()[1])
    if proc.poll() is None:
        proc.kill()
    proc.communicate(timeout=EXIT_TIMEOUT_S)


def finished(proc: "subprocess.Popen[str]") -> int:
    """The original broker's exit status once it has served its one match (bounded)."""
    try:
        _, err = proc.communicate(timeout=EXIT_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail("the original broker did not exit after its match")
    assert proc.returncode == 0, err
    return proc.returncode


def test_python_bots_and_game_with_hello_bodies_play_through_the_original_broker(
        original_broker: Tuple["subprocess.Popen[str]", int], sdk_log: LogWatch) -> None:
    proc, port = original_broker
    alpha, beta = CounterBot("Alpha"), CounterBot("Beta")
    bots = [Runner(lambda b=b: b.run("127.0.0.1", port, room="blitz", **RUN), b.NAME) for b in (alpha, beta)]
    game = CountingGame(turns=6)
    game.run("127.0.0.1", port, room="blitz", bots=2, **RUN)  # returns: a normal end
    for runner in bots:
        assert runner.join().error is None
    finished(proc)
    assert sorted(b.name for b in game.bots) == ["Alpha", "Beta"]  # the original's order is its own
    assert game.replies == [str(i).encode() for i in range(1, 7)]
    assert len(alpha.seen) == len(beta.seen) == 3
    logged = sdk_log.messages()
    assert not any(text.startswith("welcome") for text in logged), logged  # the original sends none
    assert any(text.startswith("match started with 2 bots") for text in logged), logged


def test_the_asyncio_api_plays_through_the_original_broker(
        original_broker: Tuple["subprocess.Popen[str]", int]) -> None:
    proc, port = original_broker

    async def main() -> AsyncCountingGame:
        game = AsyncCountingGame(turns=4)
        players: List[object] = [game.run("127.0.0.1", port, bots=2, **RUN)]
        players += [AsyncCounterBot(name).run("127.0.0.1", port, **RUN) for name in ("A", "B")]
        await asyncio.wait_for(asyncio.gather(*players), 30)  # type: ignore[arg-type]
        return game

    game = asyncio.run(main())
    finished(proc)
    assert sorted(b.name for b in game.inner.bots) == ["A", "B"] and game.inner.count == 4
