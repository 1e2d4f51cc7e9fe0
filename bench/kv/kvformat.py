"""Number formats and the safetensors container shared by the bench/kv scripts (numpy only, so
that the encoder tests run without torch).

The FP8 encoders work on the bits of float32 rather than on a table of the 256 codes, so that
test_fp8_encode.py, which decodes codes from the format definitions, checks them independently.
"""
import json
import struct

import numpy as np

# Largest finite values; vLLM's fp8 cache scale is amax / these.
E4M3_MAX = 448.0
E5M2_MAX = 57344.0


def _round_bits(bits, drop):
    """float32 bits with the low `drop` bits removed, rounded to nearest, ties to even. A carry out
    of the mantissa runs into the exponent, which is the right next value."""
    half = np.int64((1 << (drop - 1)) - 1)
    return (bits + half + ((bits >> drop) & 1)) >> drop


def _encode_fp8(x, ebits, mbits, max_code, fn):
    """float32 -> FP8 codes (uint8), round to nearest even, finite values saturate to the largest
    finite code. `fn`: the E4M3FN variant (no infinities, NaN = S.1111.111); otherwise IEEE-like
    (E5M2: exponent all ones is inf (mantissa 0) or NaN)."""
    x = np.ascontiguousarray(x, dtype=np.float32)
    bits = x.view(np.uint32).astype(np.int64)
    sign = ((bits >> 31) << 7).astype(np.uint8)
    mag = bits & 0x7FFFFFFF
    bias = (1 << (ebits - 1)) - 1
    # Normal range: keep the top mbits of the float32 mantissa, then rebase the exponent.
    normal = _round_bits(mag, 23 - mbits) - ((127 - bias) << mbits)
    # Below the smallest normal the codes are a fixed-point count of the smallest subnormal
    # step 2^(1-bias-mbits); scaling by a power of two is exact, and rint rounds ties to even.
    # A value that rounds up to the smallest normal gets code 1 << mbits, which is right.
    a = np.abs(x)
    small = a < np.float32(2.0 ** (1 - bias))  # False for NaN, whose code is set below
    sub = np.rint(np.where(small, a, 0) * np.float32(2.0 ** (bias - 1 + mbits))).astype(np.int64)
    code = np.where(small, sub, normal)
    code = np.minimum(code, max_code)
    nan = np.isnan(x)
    inf = np.isinf(x)
    if fn:
        code = np.where(nan, 0x7F, code)  # inf saturates like any other too-large value
    else:
        code = np.where(inf, (1 << (7 - mbits)) - 1 << mbits, code)
        code = np.where(nan, ((1 << (7 - mbits)) - 1 << mbits) | (1 << (mbits - 1)), code)
    return code.astype(np.uint8) | sign


def encode_e4m3(x):
    """float32 -> FP8 E4M3FN (bias 7, max 448, no inf, NaN 0x7F/0xFF with its sign kept)."""
    return _encode_fp8(x, 4, 3, 0x7E, True)


def encode_e5m2(x):
    """float32 -> FP8 E5M2 (bias 15, max 57344; +-inf kept, NaN becomes the quiet 0x7E/0xFE)."""
    return _encode_fp8(x, 5, 2, 0x7B, False)


def encode_bf16(x):
    """float32 -> BF16 bits (uint16), round to nearest even; NaN stays a quiet NaN."""
    bits = np.ascontiguousarray(x, dtype=np.float32).view(np.uint32).astype(np.int64)
    out = _round_bits(bits, 16)
    out = np.where(np.isnan(x), (bits >> 16) | 0x40, out)
    return out.astype(np.uint16)


def encode_fp16(x):
    """float32 -> FP16 bits (uint16); numpy's cast rounds to nearest even."""
    return np.asarray(x, dtype=np.float32).astype(np.float16).view(np.uint16)


def write_safetensors(path, items, metadata):
    """items: (name, dtype string, shape, numpy array of the raw little-endian codes). The header
    is padded with spaces to a multiple of 8 bytes, as the reference writer does, so that data
    start aligned."""
    header, off = {"__metadata__": {k: str(v) for k, v in metadata.items()}}, 0
    for name, dtype, shape, arr in items:
        n = arr.nbytes
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [off, off + n]}
        off += n
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for _, _, _, arr in items:
            f.write(np.ascontiguousarray(arr).astype(arr.dtype.newbyteorder("<")).tobytes())


STORAGE = {"BF16": np.uint16, "F16": np.uint16, "F8_E4M3": np.uint8, "F8_E5M2": np.uint8,
           "F32": np.float32}


def read_safetensors(path):
    """-> (metadata dict, {name: (dtype string, numpy array of raw codes in its shape)})."""
    with open(path, "rb") as f:
        raw = f.read()
    (hlen,) = struct.unpack_from("<Q", raw, 0)
    header = json.loads(raw[8:8 + hlen])
    meta = header.pop("__metadata__", {})
    base = 8 + hlen
    out = {}
    for name, t in header.items():
        a, b = t["data_offsets"]
        arr = np.frombuffer(raw, dtype=np.dtype(STORAGE[t["dtype"]]).newbyteorder("<"),
                            count=(b - a) // np.dtype(STORAGE[t["dtype"]]).itemsize,
                            offset=base + a)
        out[name] = (t["dtype"], arr.reshape(t["shape"]))
    return meta, out
