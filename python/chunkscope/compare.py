"""Comparing two runs: `Trace.compare(other)` (core/compare.hpp does the work, as for `chunkscope diff`).

    before, after = chunkscope.load("a.cstrace.json"), chunkscope.load("b.cstrace.json")
    c = before.compare(after)
    print(c)                 # the table of `chunkscope diff`
    c.regressions            # how many numbers regressed (0 = none)
    c.layers[0]["chunk_shape_before"], c.layers[0]["busy_ns"]["change"]
    c                        # in a notebook: the compare view (both runs on one time axis, the
                             # graph annotated with the changes, the table)
    c.to_html("compare.html")  # the same view as one offline page (`chunkscope diff A B --html`)
"""
from __future__ import annotations

import json
import os
import sys

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

    def _html(self, fragment: bool) -> str:
        """The compare page (or its notebook fragment); the static comparison where the dashboard
        files are missing, saying why."""
        pkg = sys.modules[__package__]  # the package: its bundle flag is shared with Trace's display
        d, why = pkg._locate_web_assets()
        include = False
        if d is not None and fragment:
            include = pkg.notebook_bundle == "always" or not pkg._bundle_sent
        try:
            html = _chunkscope.compare_html(self._before._native, self._after._native, self._before._source,
                                            self._after._source, d or "", why if d is None else "",
                                            fragment, include)
        except RuntimeError as e:  # a dashboard file unreadable: the static comparison says so
            html = _chunkscope.compare_html(self._before._native, self._after._native, self._before._source,
                                            self._after._source, "", str(e), fragment, False)
            include = False
        if include:
            pkg._bundle_sent = True
        return html

    def _repr_html_(self) -> str:
        """The notebook display: both runs on one time axis, the graph of the second annotated with
        the changes per layer, and the table (its scripts loaded once per page, as Trace's display);
        the static table where scripts are blocked."""
        return self._html(fragment=True)

    def to_html(self, path) -> None:
        """The compare view as one self-contained, offline HTML file (as `chunkscope diff A B --html`),
        written to a temporary and renamed into place."""
        sys.modules[__package__]._write_via_rename(os.fspath(path), self._html(fragment=False).encode("utf-8"))

    def __repr__(self) -> str:
        w = self.run["wall_ns"]
        return (f"<chunkscope.Comparison {len(self.layers)} layers, wall {w['before'] / 1e6:.1f} -> {w['after'] / 1e6:.1f} ms, "
                f"{self.regressions} regression(s)>")
