"""Where in the user's code each Dask layer was made: the file and line of the call, and the call.

Installed when `chunkscope.dask` is imported (`install()`; `uninstall()` removes it). Three places of
Dask's array API see every new layer's name, and each notes the user's frame then:
- `dask.array.core.Array.__new__` (every array: map_blocks, elemwise, reductions, rechunk, getitem,
  the block-info arrays of map_blocks, ...);
- `HighLevelGraph.from_collections` (a new layer added to the graphs of existing collections);
- `HighLevelGraph.__init__` for small graphs with store layers (`store-map-`, `store-`): da.store,
  to_zarr and to_hdf5 make no array.
The user's frame is the innermost one outside the installed libraries (the standard library, site-
and dist-packages, chunkscope itself); the *call* is the library function that frame called (the
nearest one not named like a decorator's wrapper). Consecutive layers made by the same call (same
frame, same instruction, same function) share one call number: the layers of one map_overlap, of one
mean, of one rechunk. A loop that calls the same function at the same line in successive iterations
looks like one call (the frames are not told apart).

The chunks Dask gives an array after making its layer (a reduction's chunk stage: one value per
chunk along the reduced axes) are noted too (`chunks_of`): a plan cannot learn them from results.

Each call is summarised while its frame is alive: `map_overlap(gaussian)`, `> 0.5`, `mean(axis=0)`,
`rechunk`, `to_zarr(out.zarr)` (`label`), with the file, line and enclosing function of the user's
frame. Layers made before the import have no origin; groups.py groups them by their names. The table
keeps the most recent 200,000 layer names.
"""
from __future__ import annotations

import numbers
import os
import site
import sys
import sysconfig
from collections import OrderedDict
from dataclasses import dataclass

__all__ = ["Origin", "origin_of", "install", "uninstall", "installed", "user_names"]

_MAX = 200_000
_table: OrderedDict = OrderedDict()  # layer name -> Origin
_chunks: OrderedDict = OrderedDict()  # array name -> the chunks it was last given (Dask sets some after the layer)
_state = {"installed": False, "seq": 0, "last": None, "saved": None}
_lib_cache: dict = {}


@dataclass(frozen=True)
class Origin:
    """The user's call that made a layer."""

    call: int      # call number: layers of one call share it
    file: str      # the user's file (a notebook cell's name as Python knows it)
    line: int
    function: str  # the user's function around the call ("<module>" at top level)
    label: str     # the call as the user wrote it: "map_overlap(gaussian)", "> 0.5", "mean(axis=0)"
    api: str       # the library function called ("map_overlap", "__gt__", "mean")

    @property
    def where(self) -> str:
        """"analysis.py:12" (the file's base name)."""
        return f"{os.path.basename(self.file)}:{self.line}"


def origin_of(name: str) -> Origin | None:
    """The origin of a layer name, or None (made before the import, or by no user frame)."""
    return _table.get(name)


def chunks_of(name: str):
    """The chunks Dask last gave the array `name` (a reduction's chunk stage, an array whose chunks
    Dask set after annotating its layer), or None."""
    return _chunks.get(name)


def installed() -> bool:
    return _state["installed"]


def _lib_dirs() -> tuple:
    dirs = set()
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        p = sysconfig.get_paths().get(key)
        if p:
            dirs.add(os.path.realpath(p))
    try:
        dirs.update(os.path.realpath(p) for p in site.getsitepackages())
    except AttributeError:  # a virtualenv's old site module
        pass
    dirs.add(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))  # chunkscope
    for mod in ("dask", "numpy", "xarray", "toolz", "tlz", "zarr", "distributed"):
        m = sys.modules.get(mod)
        f = getattr(m, "__file__", None)
        if f:
            dirs.add(os.path.realpath(os.path.dirname(os.path.dirname(f))))
    return tuple(d.rstrip("/") + "/" for d in dirs)


def _is_lib(filename: str, dirs: tuple) -> bool:
    hit = _lib_cache.get(filename)
    if hit is None:
        if filename.startswith("<"):  # user code: a notebook cell, %%chunkscope's cell, an interactive line;
            hit = not filename.startswith(_USER_PSEUDO_FILES)  # else <frozen ...>, <__array_function__ internals>
        else:
            hit = os.path.realpath(filename).startswith(dirs)
        _lib_cache[filename] = hit
    return hit


_USER_PSEUDO_FILES = ("<ipython-input", "<%%chunkscope", "<%chunkscope", "<stdin>", "<console>", "<input>", "<cell")
_WRAPPERS = {"wrapper", "wrapped", "inner", "_inner", "decorator", "new_func", "func", "<lambda>", "__call__", "_wrapper",
             "f", "g", "_f", "dispatch"}
_OPERATORS = {"__gt__": ">", "__ge__": ">=", "__lt__": "<", "__le__": "<=", "__eq__": "==", "__ne__": "!=",
              "__add__": "+", "__radd__": "+", "__sub__": "-", "__rsub__": "-", "__mul__": "*", "__rmul__": "*",
              "__truediv__": "/", "__rtruediv__": "/", "__floordiv__": "//", "__rfloordiv__": "//", "__pow__": "**",
              "__rpow__": "**", "__mod__": "%", "__rmod__": "%", "__and__": "&", "__rand__": "&", "__or__": "|",
              "__ror__": "|", "__xor__": "^", "__rxor__": "^", "__matmul__": "@", "__rmatmul__": "@",
              "__neg__": "-", "__invert__": "~", "__abs__": "abs", "__pos__": "+", "__getitem__": "[]"}
_AXIS_CALLS = {"sum", "mean", "max", "min", "prod", "std", "var", "any", "all", "argmax", "argmin", "nansum", "nanmean",
               "nanmax", "nanmin", "nanstd", "nanvar", "nanprod", "cumsum", "cumprod", "median", "nanmedian", "reduction",
               "count_nonzero", "moment", "ptp"}
_PATH_CALLS = {"to_zarr", "from_zarr", "to_hdf5", "to_npy_stack", "from_npy_stack", "to_netcdf", "open_zarr", "open_dataset",
               "open_mfdataset"}


def _short(v, limit: int = 24) -> str:
    if isinstance(v, (bool, numbers.Number)):
        text = repr(v.item() if hasattr(v, "item") else v)
    elif isinstance(v, str):
        text = repr(v)
    elif isinstance(v, (tuple, list)) and len(v) <= 4 and all(isinstance(x, (numbers.Number, str)) for x in v):
        text = repr(tuple(v))
    else:
        return ""
    return text if len(text) <= limit else ""


def _label(name: str, qual: str, loc: dict) -> str:
    """The call as the user wrote it, from the library function's name and its arguments."""
    if name in _OPERATORS:
        sym = _OPERATORS[name]
        other = _short(loc.get("other"))
        if name == "__getitem__":
            return "getitem"
        if name.startswith("__r") and other:
            return f"{other} {sym}"
        return f"{sym} {other}" if other else sym
    if name in ("map_overlap", "map_blocks", "blockwise", "apply_gufunc", "map_partitions"):
        func = loc.get("func")
        fname = getattr(func, "__name__", None) or type(func).__name__ if func is not None else ""
        return f"{name}({'lambda' if fname == '<lambda>' else fname})" if fname else name
    if name in _PATH_CALLS:
        url = loc.get("url") or loc.get("filename") or loc.get("path") or loc.get("store")
        args = loc.get("args")
        if url is None and isinstance(args, tuple) and args:
            url = args[0]
        if isinstance(url, (str, os.PathLike)):
            return f"{name}({os.path.basename(os.fspath(url).rstrip('/')) or os.fspath(url)})"
        return name
    if "GroupBy" in qual or "Resample" in qual or "Rolling" in qual or "Coarsen" in qual:
        kind = "groupby" if "GroupBy" in qual else "resample" if "Resample" in qual else \
            "rolling" if "Rolling" in qual else "coarsen"
        dim = _short(loc.get("dim"))
        return f"{kind}.{name}({dim})" if dim else f"{kind}.{name}"
    if name in _AXIS_CALLS:
        axis = loc.get("axis")
        dim = loc.get("dim")
        if axis is not None and _short(axis):
            return f"{name}(axis={_short(axis)})"
        if dim is not None and _short(dim):
            return f"{name}({_short(dim)})"
        return name
    return name.strip("_") or name


def _note(name) -> None:
    """Notes the user's frame as the origin of layer `name` (called inside Dask's constructors)."""
    if not isinstance(name, str) or name in _table:
        return
    dirs = _state["dirs"]
    f = sys._getframe(2)
    chain = []
    while f is not None and _is_lib(f.f_code.co_filename, dirs):
        chain.append(f)
        f = f.f_back
    if f is None:
        return
    entry = None
    for g in reversed(chain):  # from the frame the user called inwards: the first that is not a wrapper
        if g.f_code.co_name not in _WRAPPERS:
            entry = g
            break
    key = (f.f_code, id(f), f.f_lasti, entry.f_code if entry is not None else None)  # the code object held: never reused
    last = _state["last"]
    if last is not None and last[0] == key:
        origin = last[1]
    else:
        _state["seq"] += 1
        code = entry.f_code if entry is not None else None
        api = code.co_name if code is not None else ""
        qual = getattr(code, "co_qualname", api) if code is not None else ""
        try:
            label = _label(api, qual, entry.f_locals) if entry is not None else ""
        except Exception:  # an argument whose repr or attributes fail: the function's name
            label = api
        origin = Origin(_state["seq"], f.f_code.co_filename, f.f_lineno, f.f_code.co_name, label or api, api)
        _state["last"] = (key, origin)
    _table[name] = origin
    if len(_table) > _MAX:
        _table.popitem(last=False)


def install() -> None:
    """Wraps Dask's constructors (idempotent). Never raises: without them there are no origins."""
    if _state["installed"]:
        return
    try:
        from dask.array.core import Array
        from dask.highlevelgraph import HighLevelGraph
    except Exception:
        return
    try:
        _install(Array, HighLevelGraph)
    except Exception:  # a Dask whose constructors look different: no origins, nothing broken
        uninstall()


def _install(Array, HighLevelGraph) -> None:
    _state["dirs"] = _lib_dirs()
    new0 = Array.__dict__["__new__"]
    new_fn = new0.__func__ if isinstance(new0, staticmethod) else new0
    fc0 = HighLevelGraph.__dict__["from_collections"]
    init0 = HighLevelGraph.__dict__["__init__"]

    def __new__(cls, dask, name, *args, **kwargs):
        try:
            _note(name)
        except Exception:
            pass
        return new_fn(cls, dask, name, *args, **kwargs)

    def from_collections(cls, name, layer, dependencies=()):
        try:
            _note(name)
        except Exception:
            pass
        return fc0.__func__(cls, name, layer, dependencies)

    def __init__(self, layers, *args, **kwargs):
        try:
            if len(layers) <= 16:
                for n in layers:
                    if isinstance(n, str) and n.startswith("store-") and not n.startswith("store-sources-"):
                        _note(n)
        except Exception:
            pass
        init0(self, layers, *args, **kwargs)

    prop = Array.__dict__.get("_chunks")

    def set_chunks(self, chunks):
        prop.fset(self, chunks)
        try:
            _chunks[self.name] = chunks
            if len(_chunks) > _MAX:
                _chunks.popitem(last=False)
        except Exception:
            pass

    if isinstance(prop, property) and prop.fset is not None:
        Array._chunks = property(prop.fget, set_chunks, prop.fdel, prop.__doc__)
    __new__.__wrapped__ = new_fn
    Array.__new__ = staticmethod(__new__)
    HighLevelGraph.from_collections = classmethod(from_collections)
    HighLevelGraph.__init__ = __init__
    _state["saved"] = (Array, new0, HighLevelGraph, fc0, init0, prop)
    _state["installed"] = True


def uninstall() -> None:
    """Puts Dask's constructors back."""
    saved = _state["saved"]
    if not saved:
        return
    Array, new0, HighLevelGraph, fc0, init0, prop = saved
    Array.__new__ = new0
    if prop is not None:
        Array._chunks = prop
    HighLevelGraph.from_collections = fc0
    HighLevelGraph.__init__ = init0
    _state["saved"] = None
    _state["installed"] = False


def user_names(match, limit: int = 3) -> list:
    """The names that the user's innermost frame (outside the libraries, as for origins) gives to
    values for which `match(value)` is true, in the frame's order (at most `limit`): what a notebook
    title calls the arrays the user computed. Empty when no user frame is found."""
    dirs = _state.get("dirs") or _lib_dirs()
    f = sys._getframe(1)
    while f is not None and _is_lib(f.f_code.co_filename, dirs):
        f = f.f_back
    if f is None:
        return []
    out = []
    try:
        for name, value in list(f.f_locals.items()):
            if name.startswith("_") or not hasattr(value, "__dask_graph__"):
                continue
            try:
                hit = match(value)
            except Exception:
                hit = False
            if hit and name not in out:
                out.append(name)
                if len(out) >= limit:
                    break
    except Exception:
        return out
    return out
