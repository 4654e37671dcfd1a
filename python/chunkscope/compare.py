"""Comparing two runs: `Trace.compare(other)` (core/compare.hpp does the work, as for `chunkscope diff`).

    before, after = chunkscope.load("a.cstrace.json"), chunkscope.load("b.cstrace.json")
    c = before.compare(after)
    print(c)                 # the table of `chunkscope diff`
    c.regressions            # how many numbers regressed (0 = none)
    c.layers[0]["chunk_shape_before"], c.layers[0]["busy_ns"]["change"]
"""
from __future__ import annotations

import json

from . import _chunkscope


class Comparison:
    """Two runs compared per layer (matched by id, then by name, then by op): `run` (wall_ns,
    peak_bytes, tasks, busy_ns, critical_ns) and `layers` hold {before, after, change, relative,
    relative_text, regression} per number, as `chunkscope diff --json` prints them (docs/dashboard.md)."""

    def __init__(self, before, after):
        self._before, self._after = before, after
        self._doc = json.loads(_chunkscope.compare_json(before._native, after._native))

    @property
    def run(self) -> dict:
        return self._doc["run"]

    @property
    def layers(self) -> list:
        return self._doc["layers"]

    @property
    def regressions(self) -> int:
        return int(self._doc["regressions"])

    def to_dict(self) -> dict:
        return json.loads(json.dumps(self._doc))

    def table(self) -> str:
        """The terminal table of `chunkscope diff` (without its two header lines)."""
        return _chunkscope.compare_table(self._before._native, self._after._native)

    def __str__(self) -> str:
        return self.table()

    def __repr__(self) -> str:
        w = self.run["wall_ns"]
        return (f"<chunkscope.Comparison {len(self.layers)} layers, wall {w['before'] / 1e6:.1f} -> {w['after'] / 1e6:.1f} ms, "
                f"{self.regressions} regression(s)>")
