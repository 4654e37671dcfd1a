"""Vectorised NumPy version of chunkscope's `random` generator (core/include/chunkscope/core/philox.hpp).

Philox4x32-10, counter-based: the value of element i of a `random` source is a pure function of
(seed, i), where i is the element's global C-order flat index in the source array.

  float64: words w = philox(counter = i // 2, key = seed); (a, b) = (w0, w1) for even i, (w2, w3) for
           odd i; value = ((a >> 5) * 2**26 + (b >> 6)) / 2**53
  float32: w = philox(counter = i // 4, key = seed); value = (w[i % 4] >> 8) / 2**24

The 64-bit counter fills the first two 32-bit counter words (low, high), the last two are 0; the
64-bit seed is the key (low, high). All arithmetic below is uint64 on arrays holding 32-bit values.

    philox_uniform(0, 10, seed=42, dtype="float64")   # the first 10 elements of a random source
"""
import numpy as np

_M0 = np.uint64(0xD2511F53)
_M1 = np.uint64(0xCD9E8D57)
_W0 = 0x9E3779B9
_W1 = 0xBB67AE85
_LO = np.uint64(0xFFFFFFFF)
_S32 = np.uint64(32)

# Counters per block: bounds temporary memory (about 10 arrays of 8 bytes per counter).
BLOCK = 1 << 16


def philox4x32_10(counters, seed):
    """The four 32-bit words (as uint64 arrays) for each 64-bit counter in `counters` under `seed`."""
    ctr = np.asarray(counters, dtype=np.uint64)
    seed = int(seed) & 0xFFFFFFFFFFFFFFFF
    # In-place ufuncs on preallocated arrays: no allocation inside the rounds.
    c0 = ctr & _LO
    c1 = ctr >> _S32
    c2 = np.zeros_like(ctr)
    c3 = np.zeros_like(ctr)
    p0 = np.empty_like(ctr)
    p1 = np.empty_like(ctr)
    k0, k1 = seed & 0xFFFFFFFF, seed >> 32
    for _ in range(10):
        np.multiply(c0, _M0, out=p0)  # 32 x 32 -> 64 bits: never overflows uint64
        np.multiply(c2, _M1, out=p1)
        # c0' = hi(p1) ^ c1 ^ k0 (before c1 is overwritten); c2' = hi(p0) ^ c3 ^ k1 (before c3 is)
        np.right_shift(p1, _S32, out=c0)
        np.bitwise_xor(c0, c1, out=c0)
        np.bitwise_xor(c0, np.uint64(k0), out=c0)
        np.right_shift(p0, _S32, out=c2)
        np.bitwise_xor(c2, c3, out=c2)
        np.bitwise_xor(c2, np.uint64(k1), out=c2)
        np.bitwise_and(p1, _LO, out=c1)  # c1' = lo(p1)
        np.bitwise_and(p0, _LO, out=c3)  # c3' = lo(p0)
        k0 = (k0 + _W0) & 0xFFFFFFFF
        k1 = (k1 + _W1) & 0xFFFFFFFF
    return c0, c1, c2, c3


def _block_f64(c_begin, c_end, seed):
    w0, w1, w2, w3 = philox4x32_10(np.arange(c_begin, c_end, dtype=np.uint64), seed)
    out = np.empty(2 * (c_end - c_begin), dtype=np.float64)
    scale = 1.0 / 9007199254740992.0  # 2**-53
    out[0::2] = (((w0 >> np.uint64(5)) << np.uint64(26)) | (w1 >> np.uint64(6))).astype(np.float64) * scale
    out[1::2] = (((w2 >> np.uint64(5)) << np.uint64(26)) | (w3 >> np.uint64(6))).astype(np.float64) * scale
    return out


def _block_f32(c_begin, c_end, seed):
    words = philox4x32_10(np.arange(c_begin, c_end, dtype=np.uint64), seed)
    out = np.empty(4 * (c_end - c_begin), dtype=np.float32)
    scale = np.float32(1.0 / 16777216.0)  # 2**-24
    for j, w in enumerate(words):
        out[j::4] = (w >> np.uint64(8)).astype(np.float32) * scale
    return out


def philox_uniform(start, count, seed, dtype="float64"):
    """Elements [start, start + count) (global flat indices) of a `random` source, as a 1-D array."""
    dtype = np.dtype(dtype)
    if dtype == np.float64:
        per, block = 2, _block_f64
    elif dtype == np.float32:
        per, block = 4, _block_f32
    else:
        raise ValueError(f"random makes float32 or float64 values, not {dtype}")
    out = np.empty(count, dtype=dtype)
    if count == 0:
        return out
    c_first, c_last = start // per, (start + count - 1) // per  # inclusive counter range
    pos = 0
    for c in range(c_first, c_last + 1, BLOCK):
        c_end = min(c + BLOCK, c_last + 1)
        vals = block(c, c_end, seed)
        lo = max(start - c * per, 0)
        take = min(len(vals) - lo, count - pos)
        out[pos:pos + take] = vals[lo:lo + take]
        pos += take
    return out


def random_array(shape, seed, dtype="float64"):
    """A whole `random` source of `shape`."""
    n = int(np.prod(shape, dtype=np.int64)) if len(shape) else 1
    return philox_uniform(0, n, seed, dtype).reshape(shape)
