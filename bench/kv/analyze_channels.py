#!/usr/bin/python3
"""What channel statistics are worth to an FP8 K/V page code, against repeats from one token to the next.

    /usr/bin/python3 bench/kv/analyze_channels.py OUTDIR [--dtypes e5m2,e4m3] [--clusters 1,2,4,8,16]

For each dtype (one-byte FP8 caches: their codes are the bytes) and each layer and K/V, the
cross-entropy of the test prompts' bytes (metadata "split": "test") under codes trained on the
training prompts ("train"), in ratio points (bits / 8; every code smoothed so that an unseen byte
costs finite bits), of:
- one code for all channels;
- one code per channel (position in heads x head_dim);
- one code per channel plus a "same as one token earlier" symbol (the page's first token has none);
- one code per value of the same channel one token earlier (order 1 along tokens);
- k-means clusters of channels (distance: the bits a channel takes under a cluster's code;
  seeds: channels in order of their own code's bits a value), one code per cluster, for each
  cluster count given; unconstrained, before any channel shift.
Markdown on stdout. emzip's channel clusters (docs/FORMAT.md, "Channel clusters") came from these
numbers; emzip-kv-bench measures what its pages reach.
"""
import argparse
import glob
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kvformat  # noqa: E402

SMOOTH = 1e-3


def load(outdir, dtype, split):
    """-> {(layer name, 0 K / 1 V): array (pages, tokens, heads, head_dim) of byte codes}."""
    out = {}
    for path in sorted(glob.glob(os.path.join(outdir, dtype, "prompt_*.safetensors"))):
        meta, tensors = kvformat.read_safetensors(path)
        if meta.get("split") != split:
            continue
        for name, (_, arr) in tensors.items():
            for kv in range(arr.shape[0]):
                out.setdefault((name, kv), []).append(arr[kv].astype(np.int64))
    return {k: np.concatenate(v) for k, v in out.items()}


def bits(model, counts):
    """Bits a value of counts under the code of model (rows: contexts), in ratio points."""
    p = (model + SMOOTH) / (model + SMOOTH).sum(-1, keepdims=True)
    return float(-(counts * np.log2(p)).sum() / counts.sum()) / 8 * 100


def by_context(x, ctx, contexts, alphabet):
    return np.bincount((ctx * alphabet + x).reshape(-1),
                       minlength=contexts * alphabet).reshape(contexts, alphabet).astype(float)


def per_channel(x):
    channels = x.shape[-1]
    return by_context(x, np.broadcast_to(np.arange(channels), x.shape), channels, 256)


def with_repeats(x):
    same = np.zeros(x.shape, bool)
    same[:, 1:] = x[:, 1:] == x[:, :-1]
    channels = x.shape[-1]
    return by_context(np.where(same, 256, x), np.broadcast_to(np.arange(channels), x.shape),
                      channels, 257)


def order_1(x):
    prev = np.full(x.shape, 256)
    prev[:, 1:] = x[:, :-1]
    return by_context(x, prev, 257, 256)


def kmeans(hist, count, rounds=20):
    own = -(hist * np.log2((hist + SMOOTH) / (hist + SMOOTH).sum(-1, keepdims=True))).sum(-1)
    order = np.lexsort((np.arange(len(hist)), own / np.maximum(hist.sum(-1), 1)))
    cluster = np.empty(len(hist), int)
    cluster[order] = np.arange(len(hist)) * count // len(hist)
    for _ in range(rounds):
        pooled = np.stack([hist[cluster == k].sum(0) for k in range(count)])
        lengths = -np.log2((pooled + 0.5) / (pooled + 0.5).sum(-1, keepdims=True))
        lengths[pooled.sum(-1) == 0] = 30.0
        moved = np.argmin(hist @ lengths.T, axis=1)
        if (moved == cluster).all():
            break
        cluster = moved
    return cluster


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("--dtypes", default="e5m2,e4m3")
    ap.add_argument("--clusters", default="1,2,4,8,16")
    args = ap.parse_args()
    counts = [int(c) for c in args.clusters.split(",")]
    for dtype in args.dtypes.split(","):
        train, test = load(args.outdir, dtype, "train"), load(args.outdir, dtype, "test")
        if not train or not test:
            sys.exit(f"no train and test prompts in {os.path.join(args.outdir, dtype)}")
        print(f"### {dtype}: ratio points (bits a byte / 8), codes trained on other prompts\n")
        head = " | ".join(f"{k} clusters" for k in counts)
        print(f"| layer | K/V | one code | per channel | per channel + repeat | order 1 | {head} |")
        print("|---|---|---|---|---|---|" + "---|" * len(counts))
        sums = np.zeros(4 + len(counts))
        for key in sorted(test):
            a, b = train[key], test[key]
            a = a.reshape(a.shape[0], a.shape[1], -1)
            b = b.reshape(b.shape[0], b.shape[1], -1)
            one = lambda x: np.bincount(x.reshape(-1), minlength=256).astype(float)[None]  # noqa
            ha, hb = per_channel(a), per_channel(b)
            row = [bits(one(a), one(b)), bits(ha, hb), bits(with_repeats(a), with_repeats(b)),
                   bits(order_1(a), order_1(b))]
            for k in counts:
                cluster = kmeans(ha, min(k, len(ha)))
                pooled = np.stack([ha[cluster == j].sum(0) for j in range(min(k, len(ha)))])
                row.append(bits(pooled[cluster], hb))
            sums += np.array(row) / len(test)
            name, kv = key
            print(f"| {name} | {'KV'[kv]} | " + " | ".join(f"{x:.2f}" for x in row) + " |")
        print("| all | | " + " | ".join(f"{x:.2f}" for x in sums) + " |\n")


if __name__ == "__main__":
    main()
