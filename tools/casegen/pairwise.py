"""All-pairs selection: a small set of combinations that holds every pair of
values of any two dimensions at least once.

Debian has no all-pairs package (allpairspy and pairwiser are PyPI-only), and
the greedy method fits in a few lines: repeatedly take the valid combination
that covers the most pairs not yet covered. Deterministic: ties go to the
first combination in product order.
"""

from __future__ import annotations

import itertools


def _pairs(combo: tuple) -> set:
    return {(i, combo[i], j, combo[j]) for i, j in itertools.combinations(range(len(combo)), 2)}


def allpairs(dims: list[list], valid=lambda combo: True) -> list[tuple]:
    candidates = [c for c in itertools.product(*dims) if valid(c)]
    todo: set = set()
    for c in candidates:
        todo |= _pairs(c)
    chosen: list[tuple] = []
    while todo:
        best = max(candidates, key=lambda c: len(_pairs(c) & todo))
        chosen.append(best)
        todo -= _pairs(best)
    return chosen
