#!/usr/bin/env python3
"""split-by-type.py FILE.safetensors OUTDIR: writes OUTDIR/NAME.TYPE.raw, one per emzip type:
the file's tensors of that type concatenated in data-offset order (emzip-bench's raw-mode /
emzip-stream buffers). Types as emz_st_storage_type maps them: BF16 bf16, F16 fp16, F32 fp32,
F8_E4M3 e4m3, F8_E5M2 e5m2, F4 fp4, U8 '*.blocks' fp4, everything else bytes."""
import json, os, struct, sys

MAP = {"BF16": "bf16", "F16": "fp16", "F32": "fp32", "F8_E4M3": "e4m3", "F8_E5M2": "e5m2",
       "F4": "fp4"}

def main():
    path, outdir = sys.argv[1], sys.argv[2]
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    hdr = json.loads(data[8:8 + n])
    base = 8 + n
    items = []
    for name, t in hdr.items():
        if name == "__metadata__":
            continue
        b, e = t["data_offsets"]
        ty = MAP.get(t["dtype"])
        if ty is None:
            ty = "fp4" if t["dtype"] == "U8" and name.endswith(".blocks") else "bytes"
        items.append((b, e, ty))
    items.sort()
    groups = {}
    for b, e, ty in items:
        groups.setdefault(ty, []).append(data[base + b:base + e])
    stem = os.path.basename(path).removesuffix(".safetensors")
    for ty, parts in groups.items():
        with open(os.path.join(outdir, f"{stem}.{ty}.raw"), "wb") as f:
            f.write(b"".join(parts))
        print(f"{stem}.{ty}.raw {len(parts)} tensors {sum(map(len, parts))} bytes")

main()
