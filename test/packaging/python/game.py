"""A game on the BitBroker Python SDK: python game.py [port]"""
import sys
from typing import List

from bitbroker import Action, BaseGame, BotInfo, MatchAbortedError


class CountingGame(BaseGame):
    def initialise(self, bots: List[BotInfo]) -> None:
        self.bots, self.count = bots, 0

    def next_action(self) -> Action:
        if self.count == 10:
            return Action.end_game()
        bot = self.bots[self.count % len(self.bots)]
        return Action.player_action(bot.index, str(self.count).encode())

    def deliver_response(self, response: bytes) -> None:
        self.count = int(response)


game = CountingGame()
try:
    game.run("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 7878)
except MatchAbortedError as e:
    sys.exit(f"match aborted: {e.reason}")
print(f"match over: count {game.count}, bots {', '.join(b.name for b in game.bots)}")
