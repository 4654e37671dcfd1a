"""Display names and kinds of Dask layers: the op the user wrote, without Dask's token."""
from __future__ import annotations

import re

__all__ = ["split_name", "op_kind", "group_of", "call_group"]

_TOKEN32 = re.compile(r"^(.+?)-([0-9a-f]{32})(.*)$")
_TOKEN_TAIL = re.compile(r"^(.+?)-([0-9a-f]{6,})$")


def split_name(name: str) -> tuple[str, str, str]:
    """Dask layer name -> (op, token, suffix): 'rechunk-merge-<32 hex>' -> ('rechunk-merge', hex, ''),
    "open_dataset-<hex>tas-<hex>" -> ('open_dataset', hex, 'tas'), '_trim-<hex>' -> ('_trim', hex, '').
    A name without a token (a user's `name=`) is its own op."""
    m = _TOKEN32.match(name)
    if m:
        op, token, rest = m.groups()
        rest = re.sub(r"-[0-9a-f]{32}$", "", rest).strip("-")
        return op, token, rest
    m = _TOKEN_TAIL.match(name)
    if m:
        return m.group(1), m.group(2), ""
    return name, "", ""


_UUID_TAIL = re.compile(r"^(.+?)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def call_group(name: str) -> str:
    """The function of a `dask.delayed` call's key: 'load-<uuid4>' (pure=False) or 'load-<token>'
    (pure=True) -> 'load'; a key without either is its own group."""
    m = _UUID_TAIL.match(name)
    if m:
        return m.group(1)
    return split_name(name)[0]


def op_kind(op: str, has_inputs: bool) -> str:
    o = op.lower()
    if not has_inputs:
        return "source"
    if "rechunk" in o:
        return "rechunk"
    if "transpose" in o:
        return "transpose"
    if o.startswith("getitem") or "slice" in o:
        return "slice"
    if "overlap" in o or "trim" in o or "ghost" in o:
        return "stencil"
    if o in ("matmul", "dot", "tensordot") or "tensordot" in o or "matmul" in o or "einsum" in o:
        return "matmul"
    if "concatenate" in o or o.startswith("stack"):
        return "concatenate"
    if o.startswith("store"):
        return "sink"
    for r in ("sum", "mean", "max", "min", "prod", "var", "std", "any", "all", "argmax", "argmin", "nanmean", "nansum",
              "partial", "combine", "aggregate", "reduce", "_agg", "_chunk", "moment", "topk", "cumsum", "cumprod"):
        if r in o:
            return "reduce"
    return "elementwise"


def group_of(op: str) -> str:
    for suffix in ("_chunk", "_combine", "_agg", "-partial", "_partial", "-merge", "-split", "_aggregate"):
        if op.endswith(suffix):
            return op[: -len(suffix)]
    return ""
