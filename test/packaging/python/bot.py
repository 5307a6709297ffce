"""A bot on the BitBroker Python SDK: python bot.py [port]"""
import sys

from bitbroker import BaseBot


class CounterBot(BaseBot):
    NAME = "CounterBot"

    def decide_move(self, state: bytes) -> bytes:  # the count so far, as text: answer one more
        return str(int(state) + 1).encode()


CounterBot().run("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 7878)
