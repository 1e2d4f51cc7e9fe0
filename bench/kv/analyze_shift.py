"""Channel shifts on K/V caches, estimated: test cross-entropy (bits per value) of one table per
layer and K/V trained on the train prompts, after per-channel exponent offsets and sign flips
(docs/FORMAT.md, "Channel shift") learnt from the same prompts, against no shift. The design
check behind emzip's channel shift (src/engine/kv_train.c); emzip-kv-bench measures what the
codec itself does ("trained tables" against "trained without the layout").

    /usr/bin/python3 bench/kv/analyze_shift.py /work/kvdata [bf16 fp16 e4m3 e5m2]

Streams as emzip codes them: BF16 exponent byte and sign+mantissa byte; FP16 the 5-bit
exponent and the sign with the top 2 mantissa bits (its low byte is incompressible); FP8 the
whole byte. Offsets: each channel's median exponent less the median of the medians ("median"),
then each moved by up to 3 where that lowers its cost under the pooled distribution, three
rounds ("refined"). Sign: a channel flips when most of its values are negative."""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import analyze_kv  # noqa: E402

GEOMETRY = {"bf16": (16, 7, 8), "fp16": (16, 10, 5), "e4m3": (8, 3, 4), "e5m2": (8, 2, 5)}


def shifted(x, width, low, bits, offsets, flips):
    mask = (1 << bits) - 1
    e = (((x >> low) & mask) - offsets) & mask
    return ((x & ~(mask << low) & ((1 << width) - 1)) ^ (flips << (width - 1))) | (e << low)


def streams(x, sub):
    if sub in ("e4m3", "e5m2"):
        return [x]
    if sub == "bf16":
        return [(x >> 7) & 0xFF, ((x >> 15) << 7) | (x & 0x7F)]
    return [(x >> 10) & 0x1F, ((x >> 15) << 2) | ((x >> 8) & 3)]


def cross_entropy(train, tests):
    bits = 0.0
    for s_train, s_tests in zip(streams(train[0], train[1]), zip(*[streams(t, train[1]) for t in tests])):
        q = np.bincount(s_train.ravel(), minlength=256).astype(float) + 0.01
        q /= q.sum()
        for t in s_tests:
            bits += -(np.bincount(t.ravel(), minlength=256) * np.log2(q)).sum()
    return bits


def refine(e, offsets, bits):
    mask = (1 << bits) - 1
    for _ in range(3):
        pooled = np.bincount(((e - offsets) & mask).ravel(), minlength=mask + 1) + 0.01
        lq = np.log2(pooled / pooled.sum())
        moved = offsets.copy()
        for c in range(e.shape[1]):
            h = np.bincount(e[:, c], minlength=mask + 1)
            costs = [(-(h * lq[(np.arange(mask + 1) - (offsets[c] + d)) & mask]).sum(), abs(d), d)
                     for d in range(-3, 4)]
            moved[c] = offsets[c] + min(costs)[2]
        if np.array_equal(moved, offsets):
            break
        offsets = moved
    return offsets


def main():
    outdir, subs = sys.argv[1], sys.argv[2:] or list(GEOMETRY)
    for sub in subs:
        width, low, bits = GEOMETRY[sub]
        _, caches = analyze_kv.load(outdir, sub)
        files = sorted(caches)
        train_files, test_files = files[:len(files) // 2], files[len(files) // 2:]
        total, values = {}, 0
        for layer in range(len(caches[files[0]])):
            for kv in range(2):
                train = np.concatenate([caches[f][layer][kv] for f in train_files]) & ((1 << width) - 1)
                tests = [caches[f][layer][kv] & ((1 << width) - 1) for f in test_files]
                e = (train >> low) & ((1 << bits) - 1)
                medians = np.median(e, axis=0).round().astype(np.int64)
                median = medians - int(np.median(medians))
                flips = ((train >> (width - 1)).mean(0) > 0.5).astype(np.int64)
                zero = np.zeros_like(median)
                for name, off, flip in (("no shift", zero, zero), ("sign flips", zero, flips),
                                        ("median offsets", median, zero),
                                        ("median offsets + flips", median, flips),
                                        ("refined offsets", refine(e, median, bits), zero),
                                        ("refined offsets + flips", refine(e, median, bits), flips)):
                    tr = shifted(train, width, low, bits, off, flip)
                    te = [shifted(t, width, low, bits, off, flip) for t in tests]
                    total[name] = total.get(name, 0.0) + cross_entropy((tr, sub), te)
                values += sum(t.size for t in tests)
        print(f"## {sub}: bits per value of the coded streams (test prompts, tables of the train prompts)\n")
        print("| shift | bits per value | vs no shift |\n|---|---|---|")
        for name, bits_total in total.items():
            print(f"| {name} | {bits_total / values:.4f} | {(bits_total - total['no shift']) / values:+.4f} |")
        print()


if __name__ == "__main__":
    main()
