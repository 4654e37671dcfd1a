"""Dask workloads written the way scientists write them, each sized to run in about a second.

Every builder takes a scratch folder and returns a Workload: the collections to compute, the arrays
the user kept a handle to, how to compute (scheduler), and what the trace must say (a planted
problem and the layer it must be flagged on, or a tuned twin that must get no warning).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

import dask
import dask.callbacks
import dask.array as da
import numpy as np


class TaskCount(dask.callbacks.Callback):
    """Counts the tasks Dask itself ran (its _posttask hook), to compare with a trace's count."""

    def __init__(self):
        super().__init__()
        self.n = 0

    def _posttask(self, *a):
        self.n += 1


@dataclass
class Workload:
    name: str
    compute: object                      # a zero-argument function computing the result(s)
    kept: dict = field(default_factory=dict)   # label -> dask array the user holds
    scheduler: str = "threads"
    flagged: tuple = ()                  # (rule, dask name of the user's layer) that must be warning or worse
    tuned: bool = False                  # a tuned twin: no finding of warning or worse
    sources: dict = field(default_factory=dict)  # dask name -> (source type prefix, path)
    sinks: dict = field(default_factory=dict)    # dask name of the written array -> path
    whole_axes: dict = field(default_factory=dict)  # dask name -> axes a block function drops: an edit must name
                                                    # this array and keep those axes whole
    not_flagged: tuple = ()              # (rule, dask name of a layer) that must have no finding of that rule at all


def genotype_callset(tmp):
    """scikit-allel-style callset in Zarr: int8 genotype calls (variants, samples, ploidy), -1 missing."""
    import zarr
    path = os.path.join(tmp, "callset.zarr")
    rng = np.random.default_rng(1)
    gt = rng.choice(np.array([-1, 0, 1], dtype="i1"), size=(4000, 48, 2), p=[0.05, 0.7, 0.25])
    root = zarr.open_group(path, mode="w")
    root.create_dataset("calldata/GT", data=gt, chunks=(1000, 48, 2), dtype="i1")
    g = da.from_zarr(path, component="calldata/GT")
    called = (g >= 0).all(axis=2)
    alt = (g > 0).sum(axis=2)
    af = alt.sum(axis=1) / (2 * called.sum(axis=1))
    return Workload("genotype_callset", lambda: dask.compute(af, called.sum()), kept={"gt": g, "called": called, "alt": alt, "af": af},
                    sources={g.name: ("zarr.", path + "/calldata/GT")})


def genotype_filtered(tmp):
    """Variants filtered by allele frequency: boolean indexing leaves chunk sizes unknown (nan)."""
    import zarr
    path = os.path.join(tmp, "filtered.zarr")
    rng = np.random.default_rng(2)
    gt = rng.choice(np.array([-1, 0, 1], dtype="i1"), size=(3000, 32, 2), p=[0.02, 0.6, 0.38])
    zarr.save_array(path, gt, chunks=(500, 32, 2))
    g = da.from_zarr(path)
    af = (g > 0).sum(axis=(1, 2)) / 64
    keep = af > 0.38
    kept = g[keep]
    counts = (kept > 0).sum(axis=(1, 2))
    return Workload("genotype_filtered", lambda: counts.compute(), kept={"gt": g, "keep": keep, "kept": kept, "counts": counts},
                    sources={g.name: ("zarr.", path)})


def microscopy_overlap(tmp):
    """A microscopy stack in Zarr, smoothed plane by plane with map_overlap (scikit-image's gaussian)."""
    import zarr
    from skimage.filters import gaussian
    path = os.path.join(tmp, "stack.zarr")
    rng = np.random.default_rng(3)
    zarr.save_array(path, rng.integers(0, 4000, size=(8, 256, 256), dtype="u2"), chunks=(1, 128, 128))
    stack = da.from_zarr(path)

    def smooth(block):
        return np.stack([gaussian(p.astype("f4"), sigma=2, preserve_range=True) for p in block]).astype("f4")

    sm = stack.map_overlap(smooth, depth=(0, 6, 6), boundary="reflect", dtype="f4")
    proj = sm.max(axis=0)
    return Workload("microscopy_overlap", lambda: proj.compute(), kept={"stack": stack, "smoothed": sm, "projection": proj},
                    sources={stack.name: ("zarr.", path)})


def xarray_climatology(tmp):
    """A monthly climatology of a Zarr dataset opened with xarray."""
    import pandas as pd
    import xarray as xr
    path = os.path.join(tmp, "clim.zarr")
    time = pd.date_range("2000-01-01", periods=72, freq="MS")
    rng = np.random.default_rng(4)
    ds = xr.Dataset({"tas": (("time", "lat", "lon"), rng.normal(280, 5, (72, 30, 40)).astype("f4"))},
                    coords={"time": time, "lat": np.arange(30), "lon": np.arange(40)})
    ds.to_zarr(path, mode="w", encoding={"tas": {"chunks": (12, 30, 40)}})
    opened = xr.open_zarr(path)
    clim = opened.tas.groupby("time.month").mean("time")
    return Workload("xarray_climatology", lambda: clim.compute().values, kept={"tas": opened.tas.data},
                    sources={opened.tas.data.name: ("zarr.", path + "/tas")})


def hdf5_to_zarr(tmp):
    """An HDF5 dataset converted to Zarr (scaled on the way)."""
    import h5py
    import zarr
    h5 = os.path.join(tmp, "in.h5")
    out = os.path.join(tmp, "out.zarr")
    with h5py.File(h5, "w") as f:
        f.create_dataset("data", data=np.arange(400 * 300, dtype="f4").reshape(400, 300), chunks=(100, 100))
    f = h5py.File(h5, "r")
    x = da.from_array(f["data"], chunks=(100, 100))
    y = x * 2

    def run():
        y.to_zarr(out, overwrite=True)
        return zarr.open(out)[:]
    return Workload("hdf5_to_zarr", run, kept={"x": x, "y": y}, sources={x.name: ("h5py.", h5 + ":/data")},
                    sinks={y.name: out})


def memmap_store_hdf5(tmp):
    """A raw memmap read, standardised and written to HDF5 with da.store / to_hdf5."""
    import h5py
    raw = os.path.join(tmp, "raw.dat")
    mm = np.memmap(raw, dtype="f4", mode="w+", shape=(600, 200))
    mm[:] = np.random.default_rng(5).normal(size=(600, 200))
    mm.flush()
    x = da.from_array(np.memmap(raw, dtype="f4", mode="r", shape=(600, 200)), chunks=(150, 200))
    z = (x - x.mean(axis=0)) / x.std(axis=0)
    out = os.path.join(tmp, "out.h5")

    def run():
        z.to_hdf5(out, "/z")
        with h5py.File(out, "r") as f:
            return f["z"][:]
    return Workload("memmap_store_hdf5", run, kept={"x": x, "z": z}, sources={x.name: ("numpy.memmap", raw)},
                    sinks={z.name: out + ":/z"})


def blocks_drop_new_axis(tmp):
    """map_blocks that reduces an axis away (drop_axis) and one that adds an axis (new_axis)."""
    x = da.random.RandomState(6).random_sample((2000, 50, 4), chunks=(250, 50, 4))
    s = x.map_blocks(lambda b: b.sum(axis=2), drop_axis=2, dtype="f8")
    e = s.map_blocks(lambda b: np.stack([b, b ** 2], axis=-1), new_axis=2, chunks=(250, 50, 2), dtype="f8")
    return Workload("blocks_drop_new_axis", lambda: e.sum(axis=0).compute(), kept={"x": x, "s": s, "e": e})


def drop_axis_one_chunk(tmp):
    """Planted problem: one chunk for several workers, read by a block function that sums axis 1 away
    (map_blocks(drop_axis=1)); splitting the array is right, splitting axis 1 is not."""
    x = da.random.RandomState(12).random_sample((8, 1_000_000), chunks=(8, 1_000_000))
    s = x.map_blocks(lambda b: np.sqrt(b).sum(axis=1), drop_axis=1, dtype="f8")
    return Workload("drop_axis_one_chunk", lambda: s.compute(num_workers=4), kept={"x": x, "s": s},
                    whole_axes={x.name: [1]})


def rechunk_reshape_ops(tmp):
    """All-to-all rechunk, reshape, stack/concatenate, fancy indexing, argmax, cumsum, topk, einsum."""
    x = da.random.RandomState(7).random_sample((400, 300), chunks=(400, 30))
    r = x.rechunk((40, 300))
    s = da.concatenate([r, r[::-1]], axis=0)
    st = da.stack([x, x + 1])
    f = s[[1, 5, 9, 500, 700]]
    rs = x.reshape(400, 10, 30).sum(axis=1)
    out = (s.argmax(axis=0), f.cumsum(axis=1), da.topk(x.ravel(), 5), da.einsum("ij,ij->i", r, r), st.mean(axis=0), rs)
    return Workload("rechunk_reshape_ops", lambda: dask.compute(*out), kept={"x": x, "r": r, "s": s, "st": st, "f": f})


def tiny_chunks_zarr(tmp):
    """Planted problem: a Zarr array stored and read as 16x16 tiles."""
    import zarr
    path = os.path.join(tmp, "tiny.zarr")
    zarr.save_array(path, np.random.default_rng(8).random((512, 512), dtype="f4"), chunks=(16, 16))
    x = da.from_zarr(path)
    y = (x * 2 + 1).mean(axis=0)
    return Workload("tiny_chunks_zarr", lambda: y.compute(), kept={"x": x, "y": y}, flagged=("tiny-chunks", x.name),
                    sources={x.name: ("zarr.", path)})


def tuned_chunks_zarr(tmp):
    """The tuned twin: the same store read in (256, 512) chunks."""
    import zarr
    path = os.path.join(tmp, "tuned.zarr")
    zarr.save_array(path, np.random.default_rng(8).random((512, 512), dtype="f4"), chunks=(16, 16))
    x = da.from_zarr(path, chunks=(256, 512))
    y = (x * 2 + 1).mean(axis=0)
    return Workload("tuned_chunks_zarr", lambda: y.compute(), kept={"x": x, "y": y}, tuned=True, sources={x.name: ("zarr.", path)})


def sync_scheduler(tmp):
    x = da.random.RandomState(9).random_sample((600, 600), chunks=(150, 150))
    y = (x @ x.T).sum(axis=0)
    return Workload("sync_scheduler", lambda: y.compute(scheduler="sync"), kept={"x": x, "y": y}, scheduler="sync")


def processes_scheduler(tmp):
    x = da.random.RandomState(10).random_sample((800, 400), chunks=(100, 400))
    y = da.sqrt(x * x + 1).std(axis=0)
    return Workload("processes_scheduler", lambda: y.compute(scheduler="processes", num_workers=2), kept={"x": x, "y": y},
                    scheduler="processes")


def config_in_with(tmp):
    """The scheduler set by dask.config.set inside the profile."""
    x = da.ones((300, 300), chunks=100)
    y = (x + 2).sum()

    def run():
        with dask.config.set(scheduler="sync"):
            return y.compute()
    return Workload("config_in_with", run, kept={"x": x}, scheduler="sync")


def sparse_chunks(tmp):
    """Sparse (pydata sparse) chunks, single-cell style: counts per gene."""
    import sparse
    m = sparse.random((2000, 300), density=0.02, random_state=11, format="coo")
    x = da.from_array(m, chunks=(500, 300), asarray=False)
    y = x.sum(axis=0)
    return Workload("sparse_chunks", lambda: y.compute().todense(), kept={"x": x, "y": y})


def sparse_densified(tmp):
    """Planted problem: sparse counts (1% non-zero) made dense block by block before a column sum:
    3.8 MiB of sparse chunks become 128 MiB dense."""
    import sparse
    m = sparse.random((4096, 4096), density=0.01, random_state=13, format="coo")
    x = da.from_array(m, chunks=(512, 4096), asarray=False)
    d = x.map_blocks(lambda b: b.todense(), dtype="f8")
    y = d.sum(axis=0)
    return Workload("sparse_densified", lambda: y.compute(), kept={"x": x, "d": d, "y": y}, flagged=("sparse-chunks", d.name))


def rechunk_whole_chunks(tmp):
    """A rechunk whose output chunks are mostly input chunks whole (Dask makes those alias tasks, which
    pass the chunk on and take no time) and one concatenated from two halves: the concatenation is
    real work, not a straggler of the layer (before alias tasks were left out, its median was theirs)."""
    x = da.from_array(np.ones((1500, 4000)), chunks=((100,) * 14 + (50, 50), 4000))
    r = x.rechunk((100, 4000))
    s, m = r.sum(axis=1), r.max(axis=0)
    return Workload("rechunk_whole_chunks", lambda: dask.compute(s, m), kept={"x": x, "r": r, "s": s, "m": m},
                    not_flagged=("stragglers", r.name))


class DeviceArray(np.ndarray):
    """A stand-in for a CuPy array where no GPU is lent: NumPy memory that says it lives on GPU 0 (a
    `device` and a `__cuda_array_interface__`, as CuPy's arrays have); NumPy operations keep the type."""

    @property
    def device(self):
        return "cuda:0"

    @property
    def __cuda_array_interface__(self):
        return {"shape": self.shape, "typestr": self.dtype.str, "data": (0, False), "version": 3}


def gpu_chunks(tmp):
    """Chunks on a GPU (CuPy-like): standardised per block, then summed per column."""
    host = np.random.default_rng(15).random((800, 300))
    x = da.from_array(host.view(DeviceArray), chunks=(200, 300), asarray=False)
    z = x.map_blocks(lambda b: (b - b.mean()) / b.std(), dtype="f8")
    y = z.sum(axis=0)
    return Workload("gpu_chunks", lambda: np.asarray(y.compute()), kept={"x": x, "z": z, "y": y})


ALL = [genotype_callset, genotype_filtered, microscopy_overlap, xarray_climatology, hdf5_to_zarr, memmap_store_hdf5,
       blocks_drop_new_axis, drop_axis_one_chunk, rechunk_reshape_ops, tiny_chunks_zarr, tuned_chunks_zarr, sync_scheduler, processes_scheduler,
       config_in_with, sparse_chunks, sparse_densified, gpu_chunks, rechunk_whole_chunks]
