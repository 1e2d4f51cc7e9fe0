#!/usr/bin/env python3
"""Builds a large safetensors checkpoint by tiling the tensors of corpus files.

usage: bench/make-tiled-checkpoint.py OUT [--gib 1.1] [SOURCE.safetensors ...]

Copies every tensor of the sources (default: ../shared/corpus/*.bf16.safetensors) again and
again under new names ("layers.K.NAME") until the data reaches --gib GiB, and writes a valid
safetensors file (header padded to 8 bytes, tensors back to back, metadata kept), streaming:
memory stays at the size of the sources. The result is a benchmark input only: never commit it.
"""
import argparse
import glob
import json
import os
import struct
import sys


def read_tensors(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    header.pop("__metadata__", None)
    out = []
    for name, t in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0]):
        b, e = t["data_offsets"]
        out.append((name, t["dtype"], t["shape"], data[b:e]))
    return out


def main():
    root = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--gib", type=float, default=1.1)
    ap.add_argument("sources", nargs="*")
    args = ap.parse_args()
    sources = args.sources or sorted(
        glob.glob(os.path.join(root, "..", "..", "shared", "corpus", "*.bf16.safetensors")))
    if not sources:
        sys.exit("make-tiled-checkpoint: no source files (is ../shared/corpus there?)")
    tensors = [t for s in sources for t in read_tensors(s)]
    target = int(args.gib * (1 << 30))
    header, layout, at, k = {"__metadata__": {"tiled_from": ",".join(map(os.path.basename, sources))}}, [], 0, 0
    while at < target:
        for name, dtype, shape, data in tensors:
            header[f"layers.{k}.{name}"] = {"dtype": dtype, "shape": shape,
                                            "data_offsets": [at, at + len(data)]}
            layout.append(data)
            at += len(data)
        k += 1
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-len(raw) % 8)
    tmp = args.out + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for data in layout:
            f.write(data)
    os.replace(tmp, args.out)
    print(f"{args.out}: {8 + len(raw) + at} bytes, {len(header) - 1} tensors, {k} copies of "
          f"{len(tensors)} tensors from {len(sources)} files")


if __name__ == "__main__":
    main()
