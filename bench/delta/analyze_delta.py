#!/usr/bin/env python3
"""analyze_delta.py DATADIR [--emzip EXE] [--emzip-bench EXE]: how far a checkpoint stored as
its XOR or difference with a base gets (issue 17), on make_checkpoints.py's families:

  - emzip on the new checkpoint alone (`emzip compress`);
  - `emzip compress --base BASE`: what emzip stores (container version 5: each tensor alone,
    unchanged, or chunk by chunk the smaller of alone and its zigzag difference);
  - XOR with the base, tensor by tensor, then emzip (a safetensors file of the XORs, compressed
    as a checkpoint: what `--base` would store if every tensor took the delta);
  - the better of the two per tensor (emzip.compress of each tensor's bytes alone and of its
    XOR, with the tensor's dtype): what a per-tensor choice would store, container aside;
  - the same with the **difference** instead of the XOR: each element's bit pattern less the
    base's, as integers of the element's width (wrapping), zigzag-coded (0, -1, 1, -2, ... ->
    0, 1, 2, 3, ...), then emzip.compress with the tensor's dtype, or the tensor alone when
    smaller;
  - XOR + byte-group Huffman (ZipNN's method, bench's emzip-bench `bytegroup_checkpoint`);
  - zstd -19 --patch-from=BASE (the zstd CLI's delta mode).

Ratios are stored bytes / the new checkpoint's bytes (lower is better). Needs PYTHONPATH with
emzip's Python package (build/python) and the zstd CLI.

    PYTHONPATH=build/python /usr/bin/python3 bench/delta/analyze_delta.py /work/deltadata
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "kv"))
import kvformat  # noqa: E402

import emzip  # noqa: E402

PAIRS = [("consecutive checkpoints", "step_a", "step_b"),
         ("fine-tune of step_b", "step_b", "finetune")]
DTYPES = [("bf16", "BF16", np.uint16, "bf16"), ("f32", "F32", np.uint32, "fp32")]


def size_of(cmd):
    return len(subprocess.run(cmd, check=True, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL).stdout)


def bits(arr, utype):
    return np.ascontiguousarray(arr).view(utype)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("datadir")
    ap.add_argument("--emzip", default="build/tools/emzip")
    ap.add_argument("--emzip-bench", default="build/bench/emzip-bench")
    args = ap.parse_args()
    print("| pair | dtype | tensors (unchanged) | zero bytes in the XOR | emzip alone | "
          "**emzip --base** | XOR + emzip | per tensor, alone or XOR | per tensor, alone or "
          "difference | XOR + byte-group Huffman | zstd -19 --patch-from |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for label, base_name, new_name in PAIRS:
        for suffix, st_dtype, utype, codec_type in DTYPES:
            base_path = os.path.join(args.datadir, f"{base_name}.{suffix}.safetensors")
            new_path = os.path.join(args.datadir, f"{new_name}.{suffix}.safetensors")
            _, base = kvformat.read_safetensors(base_path)
            meta, new = kvformat.read_safetensors(new_path)
            original = os.path.getsize(new_path)
            items, unchanged, zero, total, best, best_diff = [], 0, 0, 0, 0, 0
            for name, (dtype, arr) in new.items():
                b = base.get(name)
                nb = bits(arr, utype)
                width = 8 * nb.itemsize
                if b is None or b[0] != dtype or b[1].shape != arr.shape:
                    x, z = nb, nb
                else:
                    x = nb ^ bits(b[1], utype)
                    d = (nb.astype(np.int64) - bits(b[1], utype).astype(np.int64))
                    d = (d + (1 << (width - 1))) % (1 << width) - (1 << (width - 1))
                    z = (((d << 1) ^ (d >> width)) & ((1 << width) - 1)).astype(utype)
                unchanged += int(not x.any())
                raw = x.view(np.uint8)
                zero += int((raw == 0).sum())
                total += raw.size
                alone = len(emzip.compress(nb.tobytes(), codec_type))
                delta = len(emzip.compress(x.tobytes(), codec_type))
                best += min(alone, delta)
                best_diff += min(alone, len(emzip.compress(z.tobytes(), codec_type)))
                items.append((name, st_dtype, arr.shape, x))
            with tempfile.TemporaryDirectory() as tmp:
                xor_path = os.path.join(tmp, "xor.safetensors")
                kvformat.write_safetensors(xor_path, items, meta)
                alone = size_of([args.emzip, "compress", "-q", "-c", new_path])
                with_base = size_of([args.emzip, "compress", "-q", "-c", "--base", base_path,
                                     new_path])
                xor_emzip = size_of([args.emzip, "compress", "-q", "-c", xor_path])
                bench = json.loads(subprocess.run(
                    [args.emzip_bench, "--json", "--reps", "1", "--no-kernels", "--no-small",
                     "--impl", "scalar", xor_path], check=True, stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL).stdout)
                bgh = bench["files"][0]["bytegroup_checkpoint_ratio_pct"] / 100
                patch = size_of(["zstd", "-q", "-19", f"--patch-from={base_path}", new_path,
                                 "-c"])
            print(f"| {label} | {st_dtype} | {len(new)} ({unchanged}) | {zero / total:.3f} | "
                  f"{alone / original:.4f} | **{with_base / original:.4f}** | "
                  f"{xor_emzip / original:.4f} | {best / original:.4f} | "
                  f"{best_diff / original:.4f} | {bgh:.4f} | {patch / original:.4f} |", flush=True)


if __name__ == "__main__":
    main()
