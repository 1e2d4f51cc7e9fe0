#!/usr/bin/env python3
"""make-quantized-fp16.py SRC.safetensors OUT.safetensors BITS (8 or 4): an FP16 checkpoint
whose weights were quantized before export. Every F32 tensor of SRC with at least 2 dimensions gets symmetric
per-output-channel quantization (output channel = the last axis, as TensorFlow.js / Keras kernels
[..., in, out] store them; scale = max|w| / qmax over all other axes, qmax = 127 for 8 bits,
7 for 4 bits: 15 levels), is dequantized (q * scale, in FP32) and cast to float16; 1-D tensors
(biases, norms) are only cast to float16. Written by hand as safetensors (8-byte LE header
length, JSON header, data), tensors in SRC's data-offset order."""
import json, struct, sys
import numpy as np

src, out, bits = sys.argv[1], sys.argv[2], int(sys.argv[3])
qmax = (1 << (bits - 1)) - 1
raw = open(src, "rb").read()
(n,) = struct.unpack("<Q", raw[:8])
hdr = json.loads(raw[8:8 + n])
base = 8 + n
names = sorted((k for k in hdr if k != "__metadata__"), key=lambda k: hdr[k]["data_offsets"][0])
newhdr, blobs, off = {}, [], 0
nq = 0
for k in names:
    t = hdr[k]
    assert t["dtype"] == "F32"
    b, e = t["data_offsets"]
    w = np.frombuffer(raw[base + b:base + e], dtype="<f4").reshape(t["shape"])
    if w.ndim >= 2:
        axes = tuple(range(w.ndim - 1))
        scale = np.abs(w).max(axis=axes, keepdims=True) / qmax
        scale = np.where(scale == 0, 1, scale).astype(np.float32)
        q = np.clip(np.rint(w / scale), -qmax, qmax)
        w = (q * scale).astype(np.float32)
        nq += 1
    h = w.astype("<f2").tobytes()
    newhdr[k] = {"dtype": "F16", "shape": t["shape"], "data_offsets": [off, off + len(h)]}
    blobs.append(h)
    off += len(h)
j = json.dumps(newhdr, separators=(",", ":")).encode()
j += b" " * (-len(j) % 8)
with open(out, "wb") as f:
    f.write(struct.pack("<Q", len(j)) + j)
    for h in blobs:
        f.write(h)
print(f"{out}: {len(names)} tensors, {nq} quantized to {bits} bits ({2 * qmax + 1} levels), {off} data bytes")
