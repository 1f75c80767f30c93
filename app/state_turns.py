"""One delivery's turn in one state-store round trip each way (app/wechat/turn.py): the Redis scripts, and
the same contract composed of the basic operations for the database backend."""

from __future__ import annotations

from app.redis_keys import Key

# The scripts:
# begin: claim the message (SET NX), then take the user's lock (SET NX PX), then read the dialog (and peek at
# a counter, e.g. the answer pace). end: store the reply on the claim, save or delete the dialog (or keep it),
# count the counter if asked (INCR, TTL on a new key), release the lock if still ours.
BEGIN_TURN = """
if not redis.call('set', KEYS[1], ARGV[1], 'EX', ARGV[2], 'NX') then
  return {'taken', redis.call('get', KEYS[1])}
end
if not redis.call('set', KEYS[2], ARGV[3], 'PX', ARGV[4], 'NX') then return {'busy'} end
local peeked = false
if #KEYS >= 4 then peeked = redis.call('get', KEYS[4]) end
return {'ok', redis.call('get', KEYS[3]), peeked}
"""
END_TURN = """
redis.call('set', KEYS[1], ARGV[1], 'EX', ARGV[2])
if ARGV[5] == 'set' then redis.call('set', KEYS[3], ARGV[6], 'EX', ARGV[7])
elseif ARGV[5] == 'del' then redis.call('del', KEYS[3]) end
if #KEYS >= 4 and redis.call('incr', KEYS[4]) == 1 then redis.call('expire', KEYS[4], ARGV[8]) end
if redis.call('get', KEYS[2]) == ARGV[3] then redis.call('del', KEYS[2]) end
return 1
"""


class GenericTurns:
    """begin_turn/end_turn composed of the basic operations (several round trips; the database backend)."""

    def begin_turn(
        self, claim: Key, pending: str, lock: Key, read: Key, peek: Key | None = None
    ) -> tuple[str, str | None, str | None, str | None]:
        """("taken", None, claim's value, None) for a repeat; ("busy", None, None, None) when the message is
        now ours but the user's lock is held; ("ok", lock token, value of `read`, value of `peek`)."""
        if not self.claim(claim, pending):
            return "taken", None, self.get(claim), None
        token = self.acquire(lock)
        if token is None:
            return "busy", None, None, None
        return "ok", token, self.get(read), self.get(peek) if peek is not None else None

    def end_turn(
        self,
        claim: Key,
        reply: str,
        lock: Key,
        token: str,
        write: Key,
        value: str | None,
        keep: bool,
        count: Key | None = None,
    ) -> None:
        """Save (`value`) or delete (None) `write` unless `keep`; count `count`; release the lock; remember
        the reply."""
        if not keep:
            self.set(write, value) if value is not None else self.delete(write)
        if count is not None:
            self.incr(count)
        self.release(lock, token)
        self.set(claim, reply)
