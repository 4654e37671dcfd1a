#!/usr/bin/python3
"""Compares an array computed by chunkscope with the reference, with the project's tolerances.

    from compare import compare
    reason = compare(ref, got, "float32")   # None when equal within tolerance, else one line
    /usr/bin/python3 tests/reference/compare.py REF.npy GOT.npy   # exit 0 equal, 1 mismatch, 2 bad input

Rules (docs/pipeline-format.md, "Equality with NumPy"):
  - shape and dtype must be identical (dtype: the `dtype` argument, default the reference's);
  - bool and integer arrays: exactly equal;
  - float arrays: NaN where the reference has NaN, the same infinities, and elsewhere
        |got - ref| <= rtol * |ref| + atol,   atol = rtol * max|ref|  (the array's magnitude)
    with rtol = 1e-10 for float64, 1e-5 for float32 and 1e-3 for float16 (one float16 rounding,
    2^-11 relative, either way of a value on which libm and NumPy's float32 math may differ in
    the last bit; chunkscope's float16 reductions accumulate in float64 and round once). The atol term lets values that are near
    zero only through cancellation (sums of terms much larger than the result) pass.
"""
import sys

import numpy as np

RTOL = {np.dtype(np.float64): 1e-10, np.dtype(np.float32): 1e-5, np.dtype(np.float16): 1e-3}


def _fmt_index(idx, shape):
    return "()" if not shape else "(" + ", ".join(str(int(i)) for i in idx) + ("," if len(shape) == 1 else "") + ")"


def tolerance(dtype):
    """Relative tolerance for a float dtype; 0 (exact) for anything else."""
    return RTOL.get(np.dtype(dtype), 0.0)


def compare(ref, got, dtype=None):
    """None when `got` equals `ref` under the project's tolerances, else a one-line reason."""
    ref = np.asarray(ref)
    got = np.asarray(got)
    want = np.dtype(dtype) if dtype is not None else ref.dtype
    if got.dtype != want:
        return f"dtype differs: expected {want}, got {got.dtype}"
    if got.shape != ref.shape:
        return f"shape differs: expected {ref.shape}, got {got.shape}"
    if got.size == 0:
        return None
    if want.kind != "f":
        bad = ref.astype(want, copy=False) != got
        if not bad.any():
            return None
        first = np.argwhere(bad)[0] if got.ndim else ()
        r, g = ref[tuple(first)], got[tuple(first)]
        return (f"{int(bad.sum())} of {got.size} elements differ (exact {want} comparison); "
                f"first at {_fmt_index(first, got.shape)}: expected {r!r}, got {g!r}")
    rtol = tolerance(want)
    r64 = ref.astype(np.float64)
    g64 = got.astype(np.float64)
    rnan, gnan = np.isnan(r64), np.isnan(g64)
    if (rnan != gnan).any():
        first = np.argwhere(rnan != gnan)[0] if got.ndim else ()
        return (f"{int((rnan != gnan).sum())} of {got.size} elements differ in NaN-ness; first at "
                f"{_fmt_index(first, got.shape)}: expected {r64[tuple(first)]!r}, got {g64[tuple(first)]!r}")
    rinf, ginf = np.isinf(r64), np.isinf(g64)
    inf_bad = (rinf | ginf) & ~((rinf & ginf) & (np.sign(r64) == np.sign(g64)))
    if inf_bad.any():
        first = np.argwhere(inf_bad)[0] if got.ndim else ()
        return (f"{int(inf_bad.sum())} of {got.size} elements differ in infinities; first at "
                f"{_fmt_index(first, got.shape)}: expected {r64[tuple(first)]!r}, got {g64[tuple(first)]!r}")
    finite = ~(rnan | rinf)
    if not finite.any():
        return None
    scale = float(np.max(np.abs(r64[finite])))
    atol = rtol * scale
    err = np.where(finite, np.abs(g64 - r64), 0.0)
    limit = rtol * np.abs(np.where(finite, r64, 0.0)) + atol
    bad = err > limit
    if not bad.any():
        return None
    worst = np.unravel_index(np.argmax(np.where(bad, err / np.maximum(limit, np.finfo(np.float64).tiny), 0.0)), got.shape)
    r, g = r64[worst], g64[worst]
    rel = abs(g - r) / abs(r) if r != 0 else float("inf")
    return (f"{int(bad.sum())} of {got.size} elements differ beyond rtol {rtol:g} (atol {atol:.3g}) for {want}; "
            f"worst at {_fmt_index(worst, got.shape)}: expected {r!r}, got {g!r} (relative error {rel:.3g})")


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2 or argv[0] in ("-h", "--help"):
        print("usage: compare.py REF.npy GOT.npy  (exit 0 equal within tolerance, 1 different, 2 bad input)",
              file=sys.stderr)
        return 2
    arrays = []
    for p in argv:
        try:
            arrays.append(np.load(p, allow_pickle=False))
        except (OSError, ValueError) as e:
            print(f"compare: {p}: cannot read: {e}", file=sys.stderr)
            return 2
    reason = compare(arrays[0], arrays[1])
    if reason:
        print(f"{argv[1]}: {reason}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
