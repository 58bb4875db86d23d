"""Irving's stable roommates algorithm, with incomplete lists: the peers' stable baseline.

Input: each person's acceptable partners, most preferred first (``order[x, :length[x]]``;
acceptability must be mutual, as a symmetric score matrix gives). Output: a stable
matching (no two people, acceptable to each other and not paired together, who both prefer
each other to their outcome, being unmatched worst) as person -> partner in both
directions, or None when no stable matching exists (unlike the two-sided case, one may not).

Irving (1985), "An efficient algorithm for the stable roommates problem", with Gusfield
and Irving's extension to incomplete lists (The Stable Marriage Problem, 1989, 4.5.2):

- Phase 1: everyone proposes down their list; a person holding a proposal from x deletes
  every pair with someone they like less than x. A person whose list runs out is unmatched
  in every stable matching (all stable matchings match the same people).
- Phase 2: while some list has two or more entries, find a rotation (x_i, y_i): y_i is
  first on x_i's list, y_{i+1} second on it, x_{i+1} last on y_{i+1}'s; eliminate it
  (y_{i+1} deletes everyone after x_i). A list that empties means no stable matching.

Every deletion cuts the tail of one list, so the table is kept implicitly: ``last[y]`` is
the last position still on y's list, and the pair {x, y} is still there iff each is at or
before the other's ``last``. Heads only move forwards, and scanning for the next entry
still there goes a numpy chunk at a time.
"""

from __future__ import annotations

import numpy as np

_CHUNK = 32


class _Table:
    """The reduced preference table: who is still on whose list."""

    def __init__(self, order: np.ndarray, length: np.ndarray):
        n = len(length)
        self.order = order
        # pos[x, y]: y's position on x's original list (rows of order are permutations).
        self.pos = np.empty_like(order)
        np.put_along_axis(
            self.pos, order.astype(np.intp), np.arange(n, dtype=order.dtype)[None, :], axis=1
        )
        self.last = np.asarray(length, dtype=np.int64) - 1
        self.head = [0] * n
        self.second_at = [0] * n

    def next_from(self, x: int, k: int) -> int | None:
        """The first position at or after ``k`` on x's list whose person is still there."""
        last = int(self.last[x])
        while k <= last:
            people = self.order[x, k : min(k + _CHUNK, last + 1)].astype(np.intp)
            there = self.pos[people, x] <= self.last[people]
            if there.any():
                return k + int(there.argmax())
            k += people.size
        return None

    def first(self, x: int) -> int | None:
        """x's first choice still on their list (None when the list is empty)."""
        k = self.next_from(x, self.head[x])
        if k is None:
            return None
        self.head[x] = k
        return int(self.order[x, k])

    def second(self, x: int) -> int | None:
        """x's second choice still on their list (None with fewer than two)."""
        if self.first(x) is None:
            return None
        k = self.next_from(x, max(self.second_at[x], self.head[x] + 1))
        if k is None:
            return None
        self.second_at[x] = k
        return int(self.order[x, k])

    def keep_up_to(self, y: int, x: int) -> None:
        """y deletes everyone after x (y now holds x's proposal)."""
        self.last[y] = self.pos[y, x]

    def last_of(self, y: int) -> int:
        return int(self.order[y, self.last[y]])


def stable_roommates(order: np.ndarray, length: np.ndarray) -> dict[int, int] | None:
    """A stable matching for these preference lists (see the module docstring), as
    person -> partner both ways, or None when none exists."""
    n = len(length)
    table = _Table(order, length)
    # Phase 1. holding[y]: whose proposal y holds (-1: nobody's yet).
    holding = [-1] * n
    free = list(range(n - 1, -1, -1))
    while free:
        x = free.pop()
        y = table.first(x)
        if y is None:
            continue
        # x is still on y's list, so y likes x better than whoever y held.
        table.keep_up_to(y, x)
        if holding[y] != -1:
            free.append(holding[y])
        holding[y] = x
    # Phase 2, keeping the path of the rotation search between rotations (Gusfield and
    # Irving, 4.2.2): each person joins the path at most once per rotation found.
    path: list[int] = []
    on_path: dict[int, int] = {}
    for start in range(n):
        while path or table.second(start) is not None:
            if not path:
                path, on_path = [start], {start: 0}
            nxt = table.last_of(table.second(path[-1]))
            while nxt not in on_path:
                on_path[nxt] = len(path)
                path.append(nxt)
                nxt = table.last_of(table.second(nxt))
            cut = on_path[nxt]
            rotation = path[cut:]
            seconds = [table.second(x) for x in rotation]
            for x, y in zip(rotation, seconds, strict=True):
                table.keep_up_to(y, x)
            if any(table.first(p) is None for p in (*rotation, *seconds)):
                return None
            for x in rotation:
                del on_path[x]
            path = path[:cut]
            # The path's last person may have lost their second choice: then the search
            # starts again from them with a fresh path.
            if path and table.second(path[-1]) is None:
                path, on_path = [], {}
    match = {}
    for x in range(n):
        y = table.first(x)
        if y is not None:
            match[x] = y
    return match
