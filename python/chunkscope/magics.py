"""IPython integration: `%load_ext chunkscope`, then

    %%chunkscope [--save FILE] [--no-display] [--name NAME]
    x.mean(axis=0).compute()

profiles every Dask computation of the cell (chunkscope.dask.profile) and displays the dashboard of
each one under the cell. The cell runs in the notebook's namespace; its last expression is the cell's
value, as without the magic. The profile is kept in the variable `_chunkscope` (`_chunkscope.traces`).
A cell that raises still shows what was recorded (the failed run), then the error. Each dashboard is
titled by what its computation computed (the arrays' names in the cell), or by --name.

    %chunkscope plan [--threads N] [--save FILE] EXPR

the plan of the Dask collection(s) EXPR evaluates to, without computing them
(chunkscope.dask.plan, titled EXPR), as the line's value: displayed when it is the cell's last line.
"""
from __future__ import annotations

import ast
import os
import re

from IPython.core.magic import Magics, line_cell_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring

__all__ = ["ChunkscopeMagics", "load_ipython_extension"]


def _numbered(path: str, i: int, n: int) -> str:
    """FILE for one run; with several runs, FILE with -1, -2, ... before its extension
    (cells.cstrace.json -> cells-1.cstrace.json)."""
    if n == 1:
        return path
    head, base = os.path.split(path)
    stem, dot, ext = base.partition(".")
    return os.path.join(head, f"{stem}-{i + 1}{dot}{ext}")


def _save(trace, path: str) -> None:
    """.html: the dashboard page (Trace.to_html); anything else: the trace file (Trace.save)."""
    if path.lower().endswith((".html", ".htm")):
        trace.to_html(path)
    else:
        trace.save(path)


@magics_class
class ChunkscopeMagics(Magics):
    """The `%%chunkscope` cell magic."""

    @magic_arguments()
    @argument("--save", metavar="FILE", default=None,
              help="write each run to FILE: the dashboard page when FILE ends with .html, else the trace "
                   "(.cstrace.json, or CBOR for .cbor); several runs: FILE-1, FILE-2, ... before the extension")
    @argument("--no-display", action="store_true", help="do not display the dashboard under the cell")
    @argument("--name", default=None, help="the name of the traces (default: the names of the arrays each computes)")
    @line_cell_magic("chunkscope")
    def chunkscope(self, line, cell=None):
        """Profile every Dask computation in the cell and display its dashboard (docs/python.md);
        as a line magic, `%chunkscope plan EXPR`: the plan of EXPR before computing it."""
        if cell is None:
            return self._plan(line)
        args = parse_argstring(self.chunkscope, line)
        from IPython.display import display

        import chunkscope.dask

        prof = chunkscope.dask.profile(name=args.name)
        self.shell.user_ns["_chunkscope"] = prof
        error = None
        value = None
        try:
            with prof:  # sees the error: the failed run is marked so
                value = self._run(cell)
        except BaseException as e:  # raised again after what was recorded is shown
            error = e
        # A cell without Dask still gives the profile one empty run: nothing to save or show.
        traces = [t for t in prof.traces if t.task_count or t.layers]
        if args.save:
            for i, t in enumerate(traces):
                _save(t, _numbered(os.path.expanduser(args.save), i, len(traces)))
        if not traces:
            print("chunkscope: the cell ran no Dask computation")
        elif not args.no_display:
            for t in traces:
                display(t)
        if error is not None:
            raise error
        return value

    def _plan(self, line: str):
        """`plan [--threads N] [--save FILE] EXPR` -> chunkscope.dask.plan of EXPR's value."""
        m = re.match(r"\s*plan\b(.*)$", line, re.S)
        if not m:
            raise ValueError("chunkscope: as a line magic: %chunkscope plan [--threads N] [--save FILE] EXPR")
        rest, threads, save = m.group(1).strip(), None, None
        while True:
            o = re.match(r"--(threads|save)(?:=|\s+)(\S+)\s*(.*)$", rest, re.S)
            if not o:
                break
            if o.group(1) == "threads":
                threads = int(o.group(2))
            else:
                save = o.group(2)
            rest = o.group(3).strip()
        if not rest:
            raise ValueError("chunkscope: %chunkscope plan needs an expression: %chunkscope plan x.mean(axis=0)")
        import chunkscope.dask

        value = eval(compile(self.shell.transform_cell(rest).strip(), "<%chunkscope plan>", "eval"), self.shell.user_ns)
        values = value if isinstance(value, (tuple, list)) else (value,)
        p = chunkscope.dask.plan(*values, name=rest, threads=threads)
        if save:
            p.save(os.path.expanduser(save))
        return p

    def _run(self, cell: str):
        """Runs the cell's code in the user's namespace; returns the value of a final expression."""
        code = self.shell.transform_cell(cell)
        tree = ast.parse(code)
        last = None
        if tree.body and isinstance(tree.body[-1], ast.Expr):
            last = ast.Expression(tree.body.pop().value)
        ns = self.shell.user_ns
        exec(compile(tree, "<%%chunkscope cell>", "exec"), ns)
        if last is not None:
            return eval(compile(last, "<%%chunkscope cell>", "eval"), ns)
        return None


def load_ipython_extension(ipython) -> None:
    """Called by `%load_ext chunkscope`."""
    ipython.register_magics(ChunkscopeMagics)
