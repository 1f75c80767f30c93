"""Record the SQL statements an engine runs while a block runs (for tests that bound a path's queries)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, event


@contextmanager
def recorded(engine: Engine, keep: Callable[[str], bool] = lambda statement: True) -> Iterator[list[str]]:
    """Yields the list that receives every statement (its full text) run on `engine` that `keep` accepts."""
    seen: list[str] = []

    def note(conn, cursor, statement, *args) -> None:  # noqa: ANN001, ANN002
        if keep(statement):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)
