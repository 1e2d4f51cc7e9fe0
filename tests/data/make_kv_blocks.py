"""Writes K/V blocks and table files of the version the emzip build writes, into DIR, for
test_format_versions' "older versions decode" test (kv_older_blocks): run it once with the build
of the commit each directory names (tests/data/kv-v1: f82e261, before channel shifts;
tests/data/kv-v2: 11b0dd8, before channel clusters), e.g.
PYTHONPATH=build/python /usr/bin/python3 tests/data/make_kv_blocks.py tests/data/kv-v2

The cache is synthetic (numpy, fixed seed): 1 layer in vLLM's layout (2, blocks, 16 tokens,
2 heads, 16 dims), each channel its own scale and mean, so that channels differ as in real K/V
caches. BF16 (the float32 values' top halves) and E4M3 (the codes of round-to-nearest-even,
from emzip's bench/kv encoder)."""
import os
import sys

import numpy as np

import emzip.kv

out = sys.argv[1]
rng = np.random.default_rng(20261206)
blocks, tokens, heads, dim = 6, 16, 2, 16
scale = np.exp(rng.normal(0, 1.5, size=(2, 1, 1, heads, dim)))
mean = rng.normal(0, 1, size=(2, 1, 1, heads, dim)) * scale
f32 = (rng.normal(size=(2, blocks, tokens, heads, dim)) * scale + mean).astype(np.float32)
bf16 = (f32.view(np.uint32) >> 16).astype(np.uint16)

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "bench", "kv"))
import kvformat  # noqa: E402  (bench/kv: the FP8 encoder tested against all 256 codes)

e4m3 = kvformat.encode_e4m3(f32 / (np.abs(f32).max() / 448)).astype(np.uint8)

for name, cache, dtype in (("bf16", bf16, "bf16"), ("e4m3", e4m3, "e4m3")):
    train, test = cache[:, :4], cache[:, 4:]
    tables = emzip.kv.Tables.train([np.ascontiguousarray(train)], dtype=dtype)
    tables.save(os.path.join(out, f"{name}.emzt"))
    codec = emzip.kv.KVCodec(tables, checksum=True)
    for kv in range(2):
        for b in range(test.shape[1]):
            page = np.ascontiguousarray(test[kv, b])
            stem = os.path.join(out, f"{name}.{'kv'[kv]}{b}")
            with open(stem + ".page", "wb") as f:
                f.write(page.tobytes())
            with open(stem + ".blk", "wb") as f:
                f.write(codec.compress(page, kv, dtype=dtype))
