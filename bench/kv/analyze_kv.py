#!/usr/bin/env python3
"""analyze_kv.py OUTDIR [--dtypes bf16,fp16,e4m3,e5m2]: the numbers that decide the design of
emzip's K/V-cache codec (issue 14), from the caches make_kv_caches.py wrote to OUTDIR. Every
table (code) is trained on the "train" prompts of OUTDIR/model.json and measured on the "test"
prompts; the output is markdown, one section per dtype.

Streams are emzip's split (docs/FORMAT.md): BF16 exponent (bits 7..14) and sign+mantissa (8 + 8
bits); FP16 exponent (5 bits) and sign+mantissa (11 bits), which emzip codes as two planes, the
low mantissa byte and a 3-bit plane of sign and the two high mantissa bits; FP8 the exponent and
sign+mantissa (E4M3 4 + 4 bits, E5M2 5 + 3) or the whole byte. Ratios are coded bits / raw bits.

Measures, per layer and K/V:
- bound: order-0 entropy of each stream, each test prompt's cache on its own ("the cache's own
  ideal"), summed;
- one table: cross-entropy of the test caches under one distribution per (layer, K/V, stream)
  trained on the train prompts (add-one, so every symbol has a code) -- what a table trained once
  per model costs;
- per channel / per dim: one distribution per channel c = kv_head * head_dim + d, or per position
  d in head_dim shared by the heads; G groups: channels (or positions d) clustered into G groups
  by their train histograms (k-means whose distance is the cross-entropy, so each step lowers the
  total train code length), one distribution per group. Small tables are smoothed towards the
  one-table distribution with BETA pseudo-counts, so that they too cover every symbol; also with
  one channel map for all streams of a codec, and with RoPE pairs (d, d + head_dim/2) kept in
  one group;
- pages: each 16-token block of a test cache coded alone with Huffman codes limited to 11 bits
  (emzip's limit), with its own code (payload, then payload + the code table in emzip's smallest
  form) or with codes built from train histograms, either covering every symbol or only those
  seen in training (a page stream with another symbol falls back, and is counted); with channel
  groups, each group's channels of a page form one stream. A stream never costs more than raw.

    /usr/bin/python3 bench/kv/analyze_kv.py /work/kvdata > analysis.md
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kvformat  # noqa: E402

MAX_LEN = 11  # emzip's longest Huffman code
BETA = 1.0  # pseudo-counts pulling per-channel and group tables towards the one-table distribution
GROUPS = (2, 4, 8, 16)
PAGE_GROUPS = (4, 8, 16)  # the last one also with every symbol covered

# dtype directory -> (bits per value, {stream: (bits, extractor)}, {codec: [streams]})
DTYPES = {
    "bf16": (16, {
        "exp": (8, lambda x: (x >> 7) & 0xFF),
        "sm": (8, lambda x: ((x >> 8) & 0x80) | (x & 0x7F)),
    }, {"split": ["exp", "sm"]}),
    "fp16": (16, {
        "exp": (5, lambda x: (x >> 10) & 0x1F),
        "sm": (11, lambda x: ((x >> 5) & 0x400) | (x & 0x3FF)),
        "top3": (3, lambda x: ((x >> 13) & 0x4) | ((x >> 8) & 0x3)),
        "lo": (8, lambda x: x & 0xFF),
    }, {"split": ["exp", "top3", "lo"]}),
    "e4m3": (8, {
        "exp": (4, lambda x: (x >> 3) & 0xF),
        "sm": (4, lambda x: ((x >> 4) & 0x8) | (x & 0x7)),
        "byte": (8, lambda x: x),
    }, {"split": ["exp", "sm"], "whole": ["byte"]}),
    "e5m2": (8, {
        "exp": (5, lambda x: (x >> 2) & 0x1F),
        "sm": (3, lambda x: ((x >> 5) & 0x4) | (x & 0x3)),
        "byte": (8, lambda x: x),
    }, {"split": ["exp", "sm"], "whole": ["byte"]}),
}


# ---------------------------------------------------------------- codes

def limited_lengths(weights, max_len=MAX_LEN):
    """Optimal prefix-code lengths of at most max_len bits (package-merge) for symbols of
    non-zero weight; 0 for the others. A leaf is a row of an identity matrix, a package the sum
    of its two items' rows, so a symbol's length is its count in the 2n-2 cheapest items."""
    w = np.asarray(weights, dtype=np.float64)
    idx = np.nonzero(w > 0)[0]
    out = np.zeros(len(w), dtype=np.int64)
    n = len(idx)
    if n <= 1:
        out[idx] = 1
        return out
    assert n <= 1 << max_len
    order = idx[np.argsort(w[idx], kind="stable")]
    leaf_w, leaf_m = w[order], np.eye(n, dtype=np.int32)
    cur_w, cur_m = leaf_w, leaf_m
    for _ in range(max_len - 1):
        k = len(cur_w) // 2 * 2
        all_w = np.concatenate([leaf_w, cur_w[0:k:2] + cur_w[1:k:2]])
        all_m = np.concatenate([leaf_m, cur_m[0:k:2] + cur_m[1:k:2]])
        o = np.argsort(all_w, kind="stable")
        cur_w, cur_m = all_w[o], all_m[o]
    out[order] = cur_m[:2 * n - 2].sum(0)
    return out


def table_bytes(lengths):
    """Size of a code table in emzip's smallest form (docs/FORMAT.md, "Code table"): nibble,
    compact (run of length deltas) or sparse; 2 bytes of first/last in each."""
    nz = np.nonzero(lengths)[0]
    first, last = int(nz[0]), int(nz[-1])
    span = last - first + 1
    nibble = (span + 1) // 2
    d = np.diff(lengths[first:last + 1])
    bits = 4 + int(np.where(d == 0, 1, np.where(np.abs(d) == 1, 3,
                                                  np.where(np.abs(d) == 2, 4, 7))).sum())
    compact = (bits + 7) // 8
    k = len(nz) - 2
    width = max(0, (last - first - 1).bit_length())
    sparse = (20 + k * (width + 4) + 7) // 8
    return 2 + min(nibble, compact, sparse)


def entropy_bits(counts):
    """Order-0 code length (bits) of the symbols histogrammed in counts (last axis)."""
    counts = np.asarray(counts, dtype=np.float64)
    n = counts.sum(-1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(counts > 0, counts * np.log2(n / np.where(counts > 0, counts, 1)), 0.0)
    return float(t.sum())


def smooth(counts, prior, beta=BETA):
    """Rows of counts -> distributions pulled towards `prior` with beta pseudo-counts."""
    counts = np.atleast_2d(counts)
    return (counts + beta * prior) / (counts.sum(1, keepdims=True) + beta)


def cluster(counts, groups, prior, seeds=4, iters=40):
    """Channels (rows of train histograms) -> group ids minimising the total train cross-entropy
    of the members under their group's pooled distribution: k-means with cross-entropy as the
    distance, seeded k-means++-style, best of a few seeds."""
    m = len(counts)
    if groups >= m:
        return np.arange(m)
    n = counts.sum(1)
    self_bits = np.array([entropy_bits(c) for c in counts])
    best, best_cost = None, math.inf
    for seed in range(seeds):
        rng = np.random.default_rng(seed)
        centres = [int(rng.choice(m, p=n / n.sum()))]
        while len(centres) < groups:
            cost = -(counts @ np.log2(smooth(counts[centres], prior)).T)
            excess = np.maximum(cost.min(1) - self_bits, 0)
            if excess.sum() <= 0:
                break
            centres.append(int(rng.choice(m, p=excess / excess.sum())))
        assign = np.argmin(-(counts @ np.log2(smooth(counts[centres], prior)).T), axis=1)
        for _ in range(iters):
            sums = np.stack([counts[assign == g].sum(0) for g in range(groups)])
            cost = -(counts @ np.log2(smooth(sums, prior)).T)
            new = np.argmin(cost, axis=1)
            for g in range(groups):  # an emptied group takes the worst-served channel
                if not np.any(new == g):
                    worst = np.argmax(cost[np.arange(m), new] - self_bits)
                    new[worst] = g
            if np.array_equal(new, assign):
                break
            assign = new
        sums = np.stack([counts[assign == g].sum(0) for g in range(groups)])
        total = -(counts * np.log2(smooth(sums, prior))[assign]).sum()
        if total < best_cost:
            best, best_cost = assign, total
    return best


# ---------------------------------------------------------------- data

def load(outdir, sub):
    """-> (model info, {prompt file: [layer -> codes (2, tokens, channels)]})."""
    with open(os.path.join(outdir, "model.json")) as f:
        info = json.load(f)
    caches = {}
    for p in info["prompts"]:
        _, tensors = kvformat.read_safetensors(os.path.join(outdir, sub, p["file"]))
        layers = []
        for i in range(info["geometry"]["num_layers"]):
            a = tensors[f"layer{i}.kv"][1]  # (2, blocks, 16, heads, head_dim)
            layers.append(a.reshape(2, a.shape[1] * a.shape[2], -1).astype(np.int64))
        caches[p["file"]] = layers
    return info, caches


def channel_counts(sym, alphabet):
    """(tokens, C) symbols -> (C, alphabet) histograms."""
    c = sym.shape[1]
    flat = (np.arange(c)[None, :] * alphabet + sym).ravel()
    return np.bincount(flat, minlength=c * alphabet).reshape(c, alphabet).astype(np.float64)


def analyse_stream(train, test, width, heads, head_dim):
    """train: (tokens, C) symbols of the train prompts; test: list of (tokens, C), one per test
    prompt. -> {measure: bits over the test prompts} and page totals."""
    A = 1 << width
    C = heads * head_dim
    r = {}
    tr_c = channel_counts(train, A)
    te_c = sum(channel_counts(t, A) for t in test)
    shared = tr_c.sum(0)
    q1 = (shared + 1) / (shared.sum() + A)
    r["bound"] = sum(entropy_bits(np.bincount(t.ravel(), minlength=A)) for t in test)
    r["one"] = float(-(te_c.sum(0) * np.log2(q1)).sum())
    r["chan"] = float(-(te_c * np.log2(smooth(tr_c, q1))).sum())
    tr_d = tr_c.reshape(heads, head_dim, A).sum(0)
    te_d = te_c.reshape(heads, head_dim, A).sum(0)
    r["dim"] = float(-(te_d * np.log2(smooth(tr_d, q1))).sum())
    maps = {}
    for g in GROUPS:
        a = cluster(tr_c, g, q1)
        sums = np.stack([tr_c[a == k].sum(0) for k in range(g)])
        te_g = np.stack([te_c[a == k].sum(0) for k in range(g)])
        r[f"c{g}"] = float(-(te_g * np.log2(smooth(sums, q1))).sum())
        maps[f"c{g}"] = (a, sums)
        ad = cluster(tr_d, g, q1)
        sums = np.stack([tr_d[ad == k].sum(0) for k in range(g)])
        te_g = np.stack([te_d[ad == k].sum(0) for k in range(g)])
        r[f"d{g}"] = float(-(te_g * np.log2(smooth(sums, q1))).sum())
        maps[f"d{g}"] = (np.tile(ad, heads), sums)
    maps["dim"] = (np.tile(np.arange(head_dim), heads), tr_d)

    # Pages: 16 tokens x C channels, coded alone. With groups, a page's channels of one group
    # form one stream (a fixed permutation), coded with that group's table.
    raw = 16 * C * width
    len_all = limited_lengths(shared + 1)  # every symbol has a code
    len_seen = limited_lengths(shared)  # only the symbols seen in training
    group_len = {}
    for g in PAGE_GROUPS:
        a, sums = maps[f"c{g}"]
        group_len[f"g{g}_seen"] = (a, np.stack([limited_lengths(w) for w in sums]))
        group_len[f"g{g}_all"] = (a, np.stack([limited_lengths(w) for w in smooth(sums, q1)]))
    cols = np.broadcast_to(np.arange(C)[None, :], (16, C))
    for k in ("own_payload", "own", "one_all", "one_seen", "one_fallbacks", "streams",
              "group_fallbacks", *group_len):
        r["page_" + k] = 0.0
    for t in test:
        for b in range(len(t) // 16):
            page = t[b * 16:(b + 1) * 16]
            h = np.bincount(page.ravel(), minlength=A)
            lens = limited_lengths(h)
            payload = float((h * lens).sum())
            own = min(raw, payload + 8 * table_bytes(lens)) if (h > 0).sum() > 1 else min(raw, 16)
            r["page_streams"] += 1
            r["page_own_payload"] += payload
            r["page_own"] += own
            r["page_one_all"] += min(raw, float((h * len_all).sum()))
            if np.all(len_seen[h > 0] > 0):
                r["page_one_seen"] += min(raw, float((h * len_seen).sum()))
            else:  # a table cannot code a symbol it has no code for: the page's own code
                r["page_one_seen"] += own
                r["page_one_fallbacks"] += 1
            for k, (a, lg) in group_len.items():
                grp = a[cols]
                ln = lg[grp, page]
                bits = np.bincount(grp.ravel(), weights=ln.ravel(), minlength=len(lg))
                graw = np.bincount(grp.ravel(), minlength=len(lg)) * float(width)
                missing = np.bincount(grp.ravel(), weights=(ln == 0).ravel(), minlength=len(lg))
                # a group stream with a symbol its table lacks takes the layer's covering table
                cover = np.bincount(grp.ravel(), weights=len_all[page].ravel(),
                                    minlength=len(lg))
                bits = np.where(missing > 0, cover, bits)
                r["page_" + k] += float(np.minimum(graw, bits).sum())
                if k == f"g{PAGE_GROUPS[-1]}_seen":
                    r["page_group_fallbacks"] += float((missing > 0).sum())
    return r


def analyse_dtype(outdir, sub):
    bits_per_value, streams, codecs = DTYPES[sub]
    info, caches = load(outdir, sub)
    g = info["geometry"]
    heads, head_dim = g["num_kv_heads"], g["head_dim"]
    train = info["train_prompts"]
    test = info["test_prompts"]
    res = {}  # (layer, kind) -> {stream: results}
    for layer in range(g["num_layers"]):
        for j, kind in enumerate("KV"):
            res[layer, kind] = {}
            tr = np.concatenate([caches[p][layer][j] for p in train])
            te = [caches[p][layer][j] for p in test]
            values = sum(len(t) for t in te) * heads * head_dim
            for name, (width, fn) in streams.items():
                if width > 8 and name not in sum(codecs.values(), []):
                    # only its entropy: emzip codes it as planes
                    r = {"bound": sum(entropy_bits(np.bincount(fn(t).ravel(),
                                                               minlength=1 << width))
                                      for t in te)}
                else:
                    r = analyse_stream(fn(tr), [fn(t) for t in te], width, heads, head_dim)
                r["values"] = values
                res[layer, kind][name] = r
            for codec, ss in codecs.items():
                if len(ss) > 1:
                    res[layer, kind]["map:" + codec] = shared_maps(
                        [streams[s_] for s_ in ss], tr, te, heads, head_dim)
    return info, res


def shared_maps(stream_defs, tr, te, heads, head_dim):
    """Test cross-entropy (bits, all streams of a codec) of G channel groups when one channel map
    serves every stream (clustered on the streams' histograms side by side: each channel has as
    many symbols in each stream, so the summed cross-entropy is the k-means distance), and when,
    besides, the two channels that RoPE rotates together (d, d + head_dim/2) share a group, which
    keeps the map right at positions where RoPE has turned the slow pairs further than in the
    train prompts."""
    C = heads * head_dim
    trs, tes, priors = [], [], []
    for width, fn in stream_defs:
        A = 1 << width
        c = channel_counts(fn(tr), A)
        trs.append(c)
        tes.append(sum(channel_counts(fn(t), A) for t in te))
        priors.append((c.sum(0) + 1) / (c.sum() + A))
    joint = np.hstack(trs)
    prior = np.concatenate(priors) / len(priors)
    half = head_dim // 2
    first = (np.arange(C) % head_dim) < half  # channel d < head_dim/2; partner is c + half
    pairs = joint[first] + joint[np.nonzero(first)[0] + half]
    out = {}
    for g in GROUPS:
        assign = cluster(joint, g, prior)
        pa = cluster(pairs, g, prior)
        paired = np.empty(C, dtype=np.int64)
        paired[first] = pa
        paired[np.nonzero(first)[0] + half] = pa
        for key, a in (("joint", assign), ("paired", paired)):
            bits = 0.0
            for trc, tec, q in zip(trs, tes, priors):
                sums = np.stack([trc[a == k].sum(0) for k in range(g)])
                te_g = np.stack([tec[a == k].sum(0) for k in range(g)])
                bits -= float((te_g * np.log2(smooth(sums, q))).sum())
            out[f"{key}{g}"] = bits
    return out


# ---------------------------------------------------------------- report

def total(res, keys, streams, measure):
    return sum(res[k][s][measure] for k in keys for s in streams)


def table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


def report(sub, info, res):
    bits_per_value, streams, codecs = DTYPES[sub]
    g = info["geometry"]
    keys = list(res)
    rows_keys = [(f"{l} {k}", [(l, k)]) for (l, k) in keys] + [("all", keys)]
    out = [f"## {sub.upper()}", ""]
    n_values = lambda ks: sum(res[k][next(iter(streams))]["values"] for k in ks)  # noqa: E731

    # Entropy bounds.
    hdr = ["layer"] + [f"H({s}) bits/{streams[s][0]}" for s in streams]
    for codec, ss in codecs.items():
        hdr.append(f"bound {codec}")
    if sub == "fp16":
        hdr.append("bound exp+sm11")
    rows = []
    for label, ks in rows_keys:
        n = n_values(ks)
        row = [label] + [f"{total(res, ks, [s], 'bound') / n:.3f}" for s in streams]
        for codec, ss in codecs.items():
            row.append(f"{total(res, ks, ss, 'bound') / (n * bits_per_value):.4f}")
        if sub == "fp16":
            row.append(f"{total(res, ks, ['exp', 'sm'], 'bound') / (n * 16):.4f}")
        rows.append(row)
    out += ["### Order-0 entropy, each test cache on its own (bits per value; bound = ratio)", "",
            table(hdr, rows), ""]

    for codec, ss in codecs.items():
        raw_bits = lambda ks: n_values(ks) * bits_per_value  # noqa: E731
        measures = ["one", "chan", "dim"] + [f"c{g_}" for g_ in GROUPS] + \
            [f"d{g_}" for g_ in GROUPS]
        names = {"one": "1 table", "chan": "per chan", "dim": "per dim"}
        names.update({f"c{g_}": f"{g_} chan grp" for g_ in GROUPS})
        names.update({f"d{g_}": f"{g_} dim grp" for g_ in GROUPS})
        hdr = ["layer", "bound", "1 table", "+pts"] + [names[m] for m in measures[1:]]
        rows = []
        for label, ks in rows_keys:
            rb = raw_bits(ks)
            one = total(res, ks, ss, "one")
            rows.append([label, f"{total(res, ks, ss, 'bound') / rb:.4f}", f"{one / rb:.4f}",
                         f"{100 * (one - total(res, ks, ss, 'bound')) / rb:+.2f}"] +
                        [f"{total(res, ks, ss, m) / rb:.4f}" for m in measures[1:]])
        out += [f"### {codec}: test cross-entropy of tables trained on the train prompts "
                "(ratio; +pts = 1 table over bound, in points)", "", table(hdr, rows), ""]
        hdr = ["layer / stream"] + [names[m] for m in measures[1:]]
        rows = []
        for label, ks in rows_keys:
            for s in ss + ([] if len(ss) == 1 else ["all"]):
                sl = ss if s == "all" else [s]
                if label != "all" and s != "all" and len(ss) > 1 and s not in ("exp",):
                    continue  # per layer only exponent and total; every stream in "all"
                n = n_values(ks)
                one = total(res, ks, sl, "one")
                rows.append([f"{label} {s}"] + [
                    f"{(one - total(res, ks, sl, m)) / n:+.3f} / "
                    f"{100 * (one - total(res, ks, sl, m)) / (n * bits_per_value):+.2f}"
                    for m in measures[1:]])
        out += [f"### {codec}: saving against 1 table per layer/KV/stream "
                "(bits per value / ratio points; positive = smaller)", "", table(hdr, rows), ""]

        gl = PAGE_GROUPS[-1]
        if len(ss) > 1:
            hdr = ["layer", "1 table"] + [f"{g_} grp {how}" for g_ in GROUPS
                                          for how in ("per stream", "one map", "one map, pairs")]
            rows = []
            for label, ks in rows_keys:
                rb = raw_bits(ks)
                row = [label, f"{total(res, ks, ss, 'one') / rb:.4f}"]
                for g_ in GROUPS:
                    row += [f"{total(res, ks, ss, f'c{g_}') / rb:.4f}",
                            f"{sum(res[k]['map:' + codec][f'joint{g_}'] for k in ks) / rb:.4f}",
                            f"{sum(res[k]['map:' + codec][f'paired{g_}'] for k in ks) / rb:.4f}"]
                rows.append(row)
            out += [f"### {codec}: channel groups with a map per stream, one map for all streams, "
                    "and one map keeping RoPE pairs (d, d + head_dim/2) together (test "
                    "cross-entropy, ratio)", "", table(hdr, rows), ""]

        pcols = ["own_payload", "own", "one_all", "one_seen"] + \
            [f"g{g_}_seen" for g_ in PAGE_GROUPS] + [f"g{gl}_all"]
        pnames = {"own_payload": "own code, payload", "own": "own code + table",
                  "one_all": "1 table, all symbols", "one_seen": "1 table, seen only",
                  f"g{gl}_all": f"{gl} chan grp, all symbols"}
        pnames.update({f"g{g_}_seen": f"{g_} chan grp, seen" for g_ in PAGE_GROUPS})
        hdr = ["layer", "bound"] + [pnames[c] for c in pcols] + \
            ["fallbacks 1 table", f"fallbacks {gl} grp"]
        rows = []
        for label, ks in rows_keys:
            rb = raw_bits(ks)
            streams_n = int(total(res, ks, ss, "page_streams"))
            rows.append([label, f"{total(res, ks, ss, 'bound') / rb:.4f}"] +
                        [f"{total(res, ks, ss, 'page_' + c) / rb:.4f}" for c in pcols] +
                        [f"{int(total(res, ks, ss, 'page_one_fallbacks'))}/{streams_n}",
                         f"{int(total(res, ks, ss, 'page_group_fallbacks'))}/"
                         f"{streams_n * gl}"])
        kib = 16 * g["num_kv_heads"] * g["head_dim"] * bits_per_value // 8 // 1024
        out += [f"### {codec}: 16-token pages ({kib} KiB) coded one by one, Huffman codes of at "
                "most 11 bits (ratio). Fallbacks: page streams holding a symbol the seen-only "
                "table lacks (1 table: coded with the page's own code; a group's stream: with "
                "the 1 table of all symbols)", "",
                table(hdr, rows), ""]
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--dtypes", default="bf16,fp16,e4m3,e5m2")
    args = ap.parse_args()
    with open(os.path.join(args.outdir, "model.json")) as f:
        info = json.load(f)
    g = info["geometry"]
    print(f"# K/V cache statistics: {args.outdir}\n")
    print(f"Model: {g['num_layers']} layers, d_model {g['d_model']}, {g['num_query_heads']} query "
          f"heads, {g['num_kv_heads']} K/V heads x head_dim {g['head_dim']}, vocabulary "
          f"{g['vocab_size']}; held-out {info['held_out_bits_per_byte']} bits per byte. Tables "
          f"trained on {len(info['train_prompts'])} prompts, measured on "
          f"{len(info['test_prompts'])} others ({info['prompts'][0]['tokens']} tokens each).\n")
    for sub in args.dtypes.split(","):
        t = time.time()
        info, res = analyse_dtype(args.outdir, sub)
        print(report(sub, info, res), flush=True)
        print(f"{sub}: {time.time() - t:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
