#!/usr/bin/env python3
"""Makes a "next checkpoint" of a sample file for the delta tests (tests/data/delta-v4):
every tensor's elements nudged by a small integer step as a training step would move them,
except every fifth tensor (left unchanged) and the last one (renamed, so stored alone).
Deterministic: the same input gives the same output.

    /usr/bin/python3 make_next.py ../age.bf16.safetensors age.bf16.next.safetensors
"""
import json
import random
import struct
import sys


def main(src, dst):
    data = open(src, "rb").read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    body = bytearray(data[8 + n :])
    rng = random.Random(17)
    names = [k for k in header if k != "__metadata__"]
    names.sort(key=lambda k: header[k]["data_offsets"][0])
    width = {"BF16": 2, "F16": 2, "F32": 4, "F8_E4M3": 1, "F8_E5M2": 1}
    for i, name in enumerate(names):
        t = header[name]
        w = width.get(t["dtype"])
        if w is None or i % 5 == 0:
            continue
        lo, hi = t["data_offsets"]
        for at in range(lo, hi - w + 1, w):
            v = int.from_bytes(body[at : at + w], "little")
            v = (v + rng.randint(-3, 3)) % (1 << (8 * w))
            body[at : at + w] = v.to_bytes(w, "little")
    last = names[-1]
    header[last + ".renamed"] = header.pop(last)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    open(dst, "wb").write(struct.pack("<Q", len(text)) + text + bytes(body))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
