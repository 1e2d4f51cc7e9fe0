#!/usr/bin/python3
"""What an order-0 code of a K/V page's bytes leaves out: repeats from one token to the next.

    /usr/bin/python3 bench/kv/analyze_repeats.py OUTDIR [--dtypes e5m2,e4m3]

For each dtype (one-byte FP8 caches only: their codes are the bytes) and each layer and K/V, over
the test prompts (metadata "split": "test"), within 16-token pages as vLLM stores them:
- head rows (head_dim bytes of one token and K/V head) that equal an earlier row of the page;
- bytes equal to the same channel's byte one token earlier (the page's first token has none);
- the order-0 entropy of the bytes, and of the bytes with each such repeat replaced by one extra
  symbol ("the same as one token earlier"): what a code with that symbol could reach.
zstd -1 beat emzip's pages on E5M2 caches made here before channel clusters (README, "K/V caches"): this shows what its
matches find. Markdown on stdout.
"""
import argparse
import glob
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kvformat  # noqa: E402


def entropy(counts):
    p = counts[counts > 0] / counts.sum()
    return float(-(p * np.log2(p)).sum())


def measure(paths):
    """-> {(layer name, 0 K / 1 V): [repeated rows, rows, same bytes, bytes, counts, counts']}."""
    acc = {}
    for path in paths:
        _, tensors = kvformat.read_safetensors(path)
        for name, (_, arr) in sorted(tensors.items()):
            for kv in range(arr.shape[0]):
                pages = arr[kv].astype(np.int32)  # (blocks, block_size, heads, head_dim)
                a = acc.setdefault((name, kv), [0, 0, 0, 0, np.zeros(257), np.zeros(257)])
                for page in pages:
                    seen = set()
                    for row in page.reshape(-1, page.shape[-1]):
                        key = row.tobytes()
                        a[0] += key in seen
                        seen.add(key)
                    a[1] += page.shape[0] * page.shape[1]
                same = np.zeros(pages.shape, dtype=bool)
                same[:, 1:] = pages[:, 1:] == pages[:, :-1]
                a[2] += int(same.sum())
                a[3] += same.size
                a[4] += np.bincount(pages.reshape(-1), minlength=257)
                a[5] += np.bincount(np.where(same, 256, pages).reshape(-1), minlength=257)
    return acc


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("--dtypes", default="e5m2,e4m3")
    args = ap.parse_args()
    for dtype in args.dtypes.split(","):
        paths = []
        for path in sorted(glob.glob(os.path.join(args.outdir, dtype, "prompt_*.safetensors"))):
            meta, _ = kvformat.read_safetensors(path)
            if meta.get("split") == "test":
                paths.append(path)
        if not paths:
            sys.exit(f"no test prompts in {os.path.join(args.outdir, dtype)}")
        print(f"### {dtype}: {len(paths)} test prompts, 16-token pages\n")
        print("| layer | K/V | head rows repeated in the page | bytes equal one token earlier "
              "| order-0 bits a byte | with a repeat symbol | saved (ratio points) |")
        print("|---|---|---|---|---|---|---|")
        for (name, kv), a in sorted(measure(paths).items()):
            h0, h1 = entropy(a[4]), entropy(a[5])
            print(f"| {name} | {'KV'[kv]} | {a[0] / a[1]:.3f} | {a[2] / a[3]:.3f} | {h0:.3f} "
                  f"| {h1:.3f} | {100 * (h0 - h1) / 8:+.2f} |")
        print()


if __name__ == "__main__":
    main()
