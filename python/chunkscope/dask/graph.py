"""Graph capture: the user's high-level layers, noted when Dask optimises the graph.

Dask calls its array optimisation (config key `array_optimize`) with the high-level graph of every
array computation before it runs. The wrapper installed here notes each layer (name, dependencies,
the shape/chunks/dtype Dask annotated it with, its type) and then lets Dask optimise as usual.

Layers that are not operations are recognised here, once per layer (never per task):
- a *holder*: a one-key layer whose value is the array read from (`original-from-zarr-…` holding a
  Zarr array, h5py dataset, memmap, xarray's lazy wrapper). It is not a layer of the trace: its
  facts (type, path, storage chunks, bytes) go to the layer that reads from it, which becomes the
  source; its one task is counted in that source (stage 1).
- in-memory data (a persisted array): a layer whose values are arrays, a source with no tasks.
- a *store*: `store-map-…` (da.store, to_zarr, to_hdf5, xarray's to_zarr), a sink connected to the
  layer whose chunks it writes, with the target's facts; `store-sources-…` (a container of the
  already optimised sources) is not a layer; `store-…` (the join of a store's chunks) is counted in
  the sink (stage 1).
"""
from __future__ import annotations

import dask

from .arrays import describe, dtype_name, is_array_like
from .origins import chunks_of

__all__ = ["GraphRecorder"]


def _first_value(layer):
    mapping = getattr(layer, "mapping", None)
    if isinstance(mapping, dict) and mapping:
        return next(iter(mapping.items()))
    return None


def _key_name(k):
    return k[0] if isinstance(k, tuple) and k and isinstance(k[0], str) else k


def _dropped_axes(layer) -> list:
    """Axes of a Blockwise layer's first array input that its function reduces or drops (an index of
    the input that the output does not have: `map_blocks(drop_axis=…)`, a contraction)."""
    try:
        out = set(layer.output_indices)
        for _name, ind in layer.indices:
            if ind is not None:
                return [a for a, i in enumerate(ind) if i not in out]
    except Exception:
        pass
    return []


class GraphRecorder:
    """Wraps the array optimisation: notes each high-level graph (layers, dependencies, annotations)
    before Dask optimises it, then lets Dask optimise as usual. `take()` hands the layers noted since
    the previous call to the run that follows."""

    def __init__(self):
        self.layers: dict[str, dict] = {}     # dask layer name -> info, in the order noted
        self.key_names: dict[str, str] = {}   # key name (e.g. rechunk-split-…) -> layer name
        self.outputs: set = set()
        self.recent: dict[str, None] = {}     # layer names noted since the last take()
        self.calls = 0                        # optimisation calls seen
        self.flat_graphs = 0                  # graphs that came without high-level layers

    def install(self):
        previous = dask.config.get("array_optimize", None)
        from dask.array.optimization import optimize as dask_optimize
        inner = previous if callable(previous) else dask_optimize

        def optimize(dsk, keys, **kwargs):
            try:
                self.note(dsk, keys)
            except Exception:  # never break the user's computation over bookkeeping
                pass
            return inner(dsk, keys, **kwargs)

        self._config = dask.config.set(array_optimize=optimize)
        self._config.__enter__()

    def uninstall(self):
        self._config.__exit__(None, None, None)

    def take(self) -> list:
        """The layer names noted since the last call (topological order)."""
        names = list(self.recent)
        self.recent = {}
        return names

    def note(self, hlg, keys):
        from dask.blockwise import Blockwise
        from dask.core import flatten
        from dask.highlevelgraph import HighLevelGraph
        self.calls += 1
        for k in flatten(keys):
            self.outputs.add(k)
        if not isinstance(hlg, HighLevelGraph):
            self.flat_graphs += 1
            return
        try:
            order = hlg._toposort_layers()
        except Exception:
            order = list(hlg.layers)
        for name in order:
            layer = hlg.layers[name]
            self.recent[name] = None
            known = self.layers.get(name)
            if known is not None and known["type"] == type(layer).__name__:
                continue
            info = self._describe_layer(name, layer, sorted(hlg.dependencies.get(name, ())), Blockwise)
            self.layers[name] = info
            if info.get("container"):
                continue
            self.key_names[name] = name
            if not isinstance(layer, Blockwise) and not info.get("holder") and not info.get("join_of"):
                try:
                    mapping = getattr(layer, "mapping", None)
                    for k in (mapping if isinstance(mapping, dict) else layer.keys()):
                        kn = _key_name(k)
                        if isinstance(kn, str):
                            self.key_names.setdefault(kn, name)
                except Exception:
                    pass

    def _describe_layer(self, name: str, layer, deps: list, Blockwise) -> dict:
        ann = layer.collection_annotations or {}
        info = {"name": name, "deps": deps, "shape": None, "chunks": None, "dtype": None, "type": type(layer).__name__,
                "chunk_type": ann.get("chunk_type")}
        chunks = chunks_of(name) or ann.get("chunks")  # chunks Dask set after annotating (origins.py)
        if chunks is not None:
            if all(all(isinstance(c, int) for c in axis) for axis in chunks):
                info["chunks"] = [list(axis) for axis in chunks]
                info["shape"] = [sum(axis) for axis in chunks]
            else:  # unknown sizes (nan) after boolean indexing: only the number of chunks per axis is known
                info["nchunks"] = [len(axis) for axis in chunks]
                info["known_chunks"] = [list(axis) if all(isinstance(c, int) for c in axis) else None for axis in chunks]
        if ann.get("dtype") is not None:
            info["dtype"] = dtype_name(ann["dtype"])
        # Holders, in-memory data, stores: looked at through the first value only.
        if isinstance(layer, Blockwise):
            dropped = _dropped_axes(layer)
            if dropped:
                info["dropped_axes"] = dropped
            for d in deps:
                h = self.layers.get(d)
                if h is not None and h.get("holder") is not None:
                    info["source"] = h["holder"]
                    h["holder_of"] = name
                    self.key_names[d] = name
            return info
        if name.startswith("store-sources-"):
            info["container"] = True
            return info
        first = _first_value(layer)
        if first is None:
            return info
        key, value = first
        mapping = layer.mapping
        if len(mapping) == 1 and key == name and is_array_like(value):
            info["holder"] = describe(value)
        elif is_array_like(value) and not info.get("source"):
            info["data"] = describe(value)  # in-memory chunks (a persisted array)
            info["data"].pop("bytes", None)
        elif name.startswith("store-map-") and isinstance(value, tuple) and len(value) >= 3:
            src, target = value[1], value[2]
            info["sink_source_key"] = _key_name(src)
            info["sink"] = describe(target) if is_array_like(target) else {"target": str(target)[:200]}
        elif len(mapping) == 1 and key == name and isinstance(value, list) and value:
            info["join_of"] = _key_name(value[0])  # e.g. store-…: the list of a store's chunk keys
        for d in deps:
            h = self.layers.get(d)
            if h is not None and h.get("holder") is not None and "holder_of" not in h:
                info["source"] = h["holder"]
                h["holder_of"] = name
                self.key_names[d] = name
        return info
