"""What a Dask graph holds besides tasks: the arrays it reads from and writes to.

`describe(obj)` names an array-like object found in a graph (a Zarr array, an h5py dataset, a NumPy
memmap or array, xarray's lazy wrappers around them) by its type, path, shape, dtype, storage
chunks and bytes, as flat JSON-able fields for a layer's `params`. It never reads array data.
"""
from __future__ import annotations

__all__ = ["describe", "is_array_like", "dtype_name"]


def dtype_name(dt) -> str:
    try:
        import numpy as np
        return np.dtype(dt).name
    except Exception:
        return str(dt)


def is_array_like(obj) -> bool:
    """An object with a shape and a dtype that is not a task (tuples are tasks or keys)."""
    return not isinstance(obj, (tuple, list, dict, str)) and hasattr(obj, "shape") and hasattr(obj, "dtype")


def _type_name(obj) -> str:
    t = type(obj)
    return f"{t.__module__}.{t.__qualname__}"


def _store_path(store) -> str | None:
    """The folder or file of a Zarr store (DirectoryStore, FSStore, wrappers around them)."""
    for _ in range(4):
        if store is None:
            return None
        for attr in ("path", "root", "dir_path"):
            p = getattr(store, attr, None)
            if isinstance(p, str) and p:
                return p
        store = getattr(store, "store", None) or getattr(store, "_store", None)
    return None


def _unwrap_xarray(obj):
    """xarray's lazy indexing adapters around a backend array -> (innermost object, variable name)."""
    var = None
    for _ in range(8):
        mod = type(obj).__module__ or ""
        if not mod.startswith("xarray"):
            break
        var = getattr(obj, "variable_name", var)
        get_array = getattr(obj, "get_array", None)
        if callable(get_array) and not hasattr(obj, "array"):
            try:
                return get_array(), var
            except Exception:
                return obj, var
        inner = getattr(obj, "array", None)
        if inner is None:
            break
        obj = inner
    return obj, var


def describe(obj) -> dict:
    """{"source_type", "path", "shape", "dtype", "storage_chunks", "bytes"} for an array-like object
    (also "device" for a GPU array, "nnz", "density", "sparse_bytes" for a sparse one); fields that
    cannot be known are left out."""
    out: dict = {}
    wrapper = _type_name(obj)
    inner, var = _unwrap_xarray(obj)
    if inner is not obj:
        out["wrapped_by"] = wrapper
        if var:
            out["variable"] = str(var)
    obj = inner
    t = _type_name(obj)
    out["source_type"] = t
    try:
        out["shape"] = [int(n) for n in obj.shape]
        out["dtype"] = dtype_name(obj.dtype)
    except Exception:
        pass
    try:
        if t.startswith("zarr."):
            base = _store_path(obj.store)
            name = getattr(obj, "path", "") or ""
            if base:
                out["path"] = base.rstrip("/") + ("/" + name if name else "")
            elif name:
                out["path"] = name
            out["storage_chunks"] = [int(c) for c in obj.chunks]
        elif t.startswith("h5py."):
            out["path"] = f"{obj.file.filename}:{obj.name}"
            if obj.chunks is not None:
                out["storage_chunks"] = [int(c) for c in obj.chunks]
        elif t == "numpy.memmap":
            if getattr(obj, "filename", None):
                out["path"] = str(obj.filename)
    except Exception:  # a closed file or an unusual store: the facts we have are enough
        pass
    from .local import device_of
    dev = device_of(obj)
    if dev:  # a GPU array (CuPy): where its bytes are
        out["device"] = dev
    try:
        import numpy as np
        n = 1
        for s in out.get("shape", ()):
            n *= s
        if "dtype" in out:
            out["bytes"] = int(n * np.dtype(out["dtype"]).itemsize)
        nnz = getattr(obj, "nnz", None)  # a sparse array (pydata sparse, scipy.sparse): its real size
        if isinstance(nnz, (int, np.integer)) and n > 0:
            out["nnz"] = int(nnz)
            out["density"] = int(nnz) / n
            nbytes = getattr(obj, "nbytes", None)
            if isinstance(nbytes, (int, np.integer)):
                out["sparse_bytes"] = int(nbytes)
            elif hasattr(obj, "data") and hasattr(obj, "indices"):  # scipy.sparse compressed formats
                out["sparse_bytes"] = int(obj.data.nbytes + obj.indices.nbytes + obj.indptr.nbytes)
    except Exception:
        pass
    return out
