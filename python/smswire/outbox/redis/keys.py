"""Where the Redis outbox keeps things: every key name, in one place.

All keys of one outbox share a prefix whose ``{...}`` part is a Redis Cluster
hash tag, so they live in one slot and every Lua script and MULTI may touch
any of them (docs/redis-store.md explains the layout and its reasons).
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

__all__ = ["DEFAULT_PREFIX", "GROUP", "Keys", "split_location"]

# The hash tag keeps one outbox in one cluster slot; a second outbox (another
# account, another tenant) takes another prefix and may land elsewhere.
DEFAULT_PREFIX = "{smswire}"
# The one consumer group on each route's stream: every worker of the route
# reads through it, so a message is delivered to one worker at a time.
GROUP = "workers"


def split_location(location: str) -> tuple[str, str | None]:
    """An outbox's location, ``redis://host:port/db?prefix=NAME``, as the URL
    Redis is reached at and the prefix ``{NAME}`` (None without one)."""
    query = parse_qs(urlsplit(location).query)
    if "prefix" not in query:
        return location, None
    return location.split("?", 1)[0], "{" + query["prefix"][0] + "}"


class Keys:
    """The key names under ``prefix``."""

    def __init__(self, prefix: str = DEFAULT_PREFIX) -> None:
        self.prefix = prefix
        # The event feed: one stream, a consumer group per consumer.
        self.events = f"{prefix}:events"
        # Live workers' heartbeats: worker id -> expiry (ms), a sorted set.
        self.workers = f"{prefix}:workers"

    def message(self, key: str) -> str:
        """Hash: one message's row (route, payload, claim, outcome, delivery)."""
        return f"{self.prefix}:m:{key}"

    def parts(self, key: str) -> str:
        """Hash: ``attempt:index`` -> the accepted part (JSON)."""
        return f"{self.prefix}:parts:{key}"

    def receipts(self, key: str) -> str:
        """List: the receipts matched to the message, in arrival order (JSON)."""
        return f"{self.prefix}:rc:{key}"

    def queue(self, route: str) -> str:
        """Stream: the route's messages without an outcome, in put order."""
        return f"{self.prefix}:q:{route}"

    def due(self, route: str) -> str:
        """Sorted set: the route's claimed or released entries by the time
        (ms, server clock) they may be claimed again."""
        return f"{self.prefix}:due:{route}"

    def held(self, route: str) -> str:
        """Set: the keys of the route's messages a worker holds now."""
        return f"{self.prefix}:held:{route}"

    def part_id(self, route: str, id_key: str) -> str:
        """String with expiry: which part the provider's id names on ``route``."""
        return f"{self.prefix}:id:{route}:{id_key}"

    def waiting(self, route: str, id_key: str) -> str:
        """List with expiry: receipts that came before their id was recorded."""
        return f"{self.prefix}:wait:{route}:{id_key}"

    def seen(self, route: str, fingerprint: str) -> str:
        """String with expiry: a receipt stored already, and the key it matched."""
        return f"{self.prefix}:seen:{route}:{fingerprint}"

    def heartbeat(self, worker: str) -> str:
        """Hash with expiry: a worker's health, gone when it stops beating."""
        return f"{self.prefix}:hb:{worker}"

    def limiter(self, name: str) -> str:
        """String: an account-wide rate limiter's theoretical arrival time."""
        return f"{self.prefix}:rate:{name}"
