#!/usr/bin/env python3
"""kv_offload.py DATADIR [--quick] [--dtypes bf16,fp16,e4m3,e5m2] [--seed N] [--repeat R]: the
offload benchmark of issue 14. A host-memory page store keeps K/V cache pages compressed while sequences
grow and prefixes are reused; pages are swapped out of a "GPU" pool and back in the way a serving
engine's swap/offload path does. Each codec replays the same trace:

    emzip       emzip.kv.KVCodec (tables trained on the train prompts), threads=1 and threads=2
    zstd -1     one zstd frame per page (python3-zstandard), one thread
    lz4         one LZ4 block per page (python3-lz4, default acceleration), one thread
    memcpy      a plain copy of each page into a bytes object (no compression), one thread

DATADIR is what bench/kv/make_kv_caches.py writes: DATADIR/{bf16,fp16,e4m3,e5m2}/prompt_NN.
safetensors, one tensor `layerL.kv` of shape (2, num_blocks, 16, heads, head_dim) per layer
(vLLM's layout), metadata "split" = train/test. Tables are trained on the train prompts' caches;
the trace runs on the test prompts' pages.

The trace (deterministic, seeded; built once per DATADIR, the same for every codec and dtype):
  - a pool of N blocks (N = 2 x the blocks of one prompt), one torch tensor per layer in vLLM's
    layout (2, N, 16, heads, head_dim): the "GPU" cache;
  - sequences, each on one test prompt's pages, arrive over time; a sequence starts with a
    prefill of several blocks, then grows one block (16 tokens) each time it is scheduled, up to
    its length; some sequences share a prefix of an earlier one's blocks (same prompt: parallel
    sampling, a common system prompt): they take hold of the prefix once it is computed and
    are requested a few steps later; those blocks are shared, never recomputed;
  - each step schedules up to B sequences (B = 4, --quick 3): those within their time slice
    (a prompt's blocks / 8 steps), then the least recently scheduled (round robin); a scheduled
    sequence needs all its blocks in the pool: blocks in the host store are swapped in
    (one decompress call per layer for all of that sequence's stored blocks, into free slots),
    and when slots run out, the least recently scheduled sequence outside the batch is swapped
    out (one compress call per layer for all its resident blocks not used by the batch), its
    blobs kept in the store and its slots freed (poisoned, so that a decoder that writes
    nothing is caught); a shared prefix swapped out with one sequence is swapped in by the
    other one (reused, not recomputed);
  - a finished sequence frees its blocks (slots, or store entries) unless another sequence
    still holds them.

Every swapped-in page is compared with the original page (bit-exact) for every codec; any
mismatch is reported and the exit status is 1.

Reported per dtype: store bytes / original bytes over every swap-out (and the memory saved),
the store's peak, per-page latency p50/p99 in microseconds for swap-out (compress) and swap-in
(decompress), where a call's per-page latency is its time / the pages in the call and the
percentiles are taken over pages, and throughput (original bytes / time in calls, GB/s = 1e9
bytes/s). Only the codec calls are timed (not the pool bookkeeping, the copies of new blocks
into the pool, or the checks). zstd and lz4 return bytes, so their swap-in includes one copy of
each page from that bytes object into the pool (the Python bindings cannot decode into a given
buffer); memcpy's swap-in is that copy alone. The per-page codecs pay a Python call per page.
Each codec replays the trace R times (default 3, --quick 1), the codecs interleaved so that a
burst of load from elsewhere hits them alike; the run with the least time in calls is reported,
every run is checked.

    /usr/bin/python3 bench/kv_offload.py /work/kvdata                # ~1 min on 2 idle cores
    /usr/bin/python3 bench/kv_offload.py /tmp/kvtiny --quick         # CI: ~2 s

emzip is imported from PYTHONPATH (the build tree: PYTHONPATH=build/python).
"""
import argparse
import gc
import glob
import os
import random
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "kv"))
import kvformat  # noqa: E402

import emzip.kv  # noqa: E402

DTYPES = ("bf16", "fp16", "e4m3", "e5m2")
FP8 = ("e4m3", "e5m2")
POISON = 0xA5


# ---------------------------------------------------------------- data

def load_dtype(datadir, dtype):
    """-> (train, test, meta): train/test are lists (one per prompt) of per-layer numpy arrays of
    raw codes, shape (2, num_blocks, 16, heads, head_dim)."""
    train, test, meta = [], [], None
    for path in sorted(glob.glob(os.path.join(datadir, dtype, "prompt_*.safetensors"))):
        m, tensors = kvformat.read_safetensors(path)
        layers = [tensors[f"layer{L}.kv"][1] for L in range(int(m["num_layers"]))]
        (train if m.get("split") == "train" else test).append(layers)
        meta = meta or m
    if not train or not test:
        raise SystemExit(f"{datadir}/{dtype}: needs train and test prompts (metadata 'split')")
    return train, test, meta


def to_torch(raw, dtype):
    """A torch tensor of the cache's type holding a copy of the raw codes (uint8 for FP8: torch
    1.13 has no float8)."""
    a = np.array(raw)  # writable copy
    if dtype == "bf16":
        return torch.from_numpy(a.view(np.int16)).view(torch.bfloat16)
    if dtype == "fp16":
        return torch.from_numpy(a.view(np.float16))
    return torch.from_numpy(a)


def u8_pages(t):
    """A uint8 numpy view (2, num_blocks, page bytes) of a cache tensor's memory."""
    flat = t.reshape(-1).view(torch.uint8).numpy() if t.dtype != torch.uint8 \
        else t.reshape(-1).numpy()
    return flat.reshape(2, t.shape[1], -1)


# ---------------------------------------------------------------- trace

class Seq:
    __slots__ = ("id", "prompt", "blocks", "target", "prefill", "length", "last", "parent",
                 "prefix", "started", "slice", "delay", "due")

    def __init__(self, sid, prompt, target, prefill, parent=None, prefix=0):
        self.id, self.prompt, self.target, self.prefill = sid, prompt, target, prefill
        self.parent, self.prefix = parent, prefix
        self.blocks, self.length, self.last, self.started = [], 0, -1, False
        self.slice = 0  # steps left in its time slice
        self.delay = self.due = 0  # a child: steps from its prefix being computed to its request


def make_trace(prompts, nb, quick, seed):
    """The swap trace on `prompts` test prompts of `nb` blocks each, as a list of events:
    ("compute", [(slot, bid)]) (new blocks written into the pool), ("out", [(slot, bid)]) and
    ("in", [(slot, bid)]) (one call per layer each), ("drop", [bid]) (store entries freed);
    src[bid] = (prompt, block) is the page block bid holds. Returns (events, src, pool, stats)."""
    rng = random.Random(seed)
    pool = 2 * nb
    batch = 4 if not quick else 3
    nseq = (48 if not quick else 16) if nb >= 16 else (40 if not quick else 24)
    gap = 2 if nb >= 16 else 1  # steps between base-sequence arrivals
    quantum = max(1, nb // 8)  # steps a scheduled sequence keeps running before it yields
    share = 0.4  # fraction of sequences that share a prefix of an earlier one

    seqs, pending = [], []  # pending: (arrival step, seq) of base sequences; children below
    children = []  # sequences that arrive when their parent has `prefix` blocks
    for i in range(nseq):
        prompt = rng.randrange(prompts)
        target = rng.randint(max(2, nb // 2), nb)
        parents = [s for s in seqs if s.prompt == prompt and s.parent is None]
        if parents and rng.random() < share:
            parent = rng.choice(parents)
            prefix = rng.randint(1, max(1, min(parent.target, target) - 1))
            s = Seq(i, prompt, max(target, prefix + 1), rng.randint(1, 2), parent, prefix)
            s.delay = rng.randint(0, 4 * quantum)
            children.append(s)
        else:
            s = Seq(i, prompt, target, rng.randint(1, max(1, target // 3)))
            pending.append((i * gap, s))
        seqs.append(s)

    src, refs, loc = [], [], []  # per block id: source page, reference count, slot or "store"
    free = list(range(pool - 1, -1, -1))  # a stack: lowest slot first
    events = []
    live = []
    stats = dict(steps=0, seqs=nseq, shared_seqs=len(children), out_calls=0, out_blocks=0,
                 in_calls=0, in_blocks=0, prefix_in=0, prefix_hits=0, computed=0, deferred=0)

    def new_block(seq, j):
        src.append((seq.prompt, j))
        refs.append(1)
        loc.append(None)
        seq.blocks.append(len(src) - 1)
        return len(src) - 1

    def swap_out(victim, protected):
        moved = [b for b in victim.blocks[:victim.length]
                 if isinstance(loc[b], int) and b not in protected]
        if not moved:
            return False
        pairs = [(loc[b], b) for b in moved]
        events.append(("out", pairs))
        for slot, b in pairs:
            loc[b] = "store"
            free.append(slot)
        stats["out_calls"] += 1
        stats["out_blocks"] += len(pairs)
        return True

    def make_room(need, victims, protected):
        while len(free) < need:
            if not any(swap_out(v, protected) for v in victims):
                return False
        return True

    step = 0
    while pending or children or live:
        # arrivals
        while pending and pending[0][0] <= step:
            s = pending.pop(0)[1]
            s.last = step
            live.append(s)
        if not live:
            step += 1
            continue
        # the batch: least recently scheduled first; a sequence is admitted when its blocks fit,
        # evicting (least recently scheduled first) sequences outside the batch, then batch
        # members not yet admitted (last first); else it waits for the next step
        running = sorted((s for s in live if s.slice > 0), key=lambda s: s.id)[:batch]
        chosen = running + sorted((s for s in live if s.slice <= 0 and s.due <= step),
                                  key=lambda s: (s.last, s.id))[:batch - len(running)]
        admitted = []
        for k, s in enumerate(chosen):
            protected = {b for t in admitted + [s] for b in t.blocks[:t.length]}
            victims = sorted((t for t in live if t not in chosen), key=lambda t: (t.last, t.id))
            victims += chosen[:k:-1]
            grow = min(s.prefill if not s.started else 1, s.target - s.length)
            stored = [b for b in s.blocks[:s.length] if loc[b] == "store"]
            if not make_room(len(stored) + grow, victims, protected):
                stats["deferred"] += 1
                continue
            admitted.append(s)
            if stored:
                pairs = [(free.pop(), b) for b in stored]
                for slot, b in pairs:
                    loc[b] = slot
                events.append(("in", pairs))
                stats["in_calls"] += 1
                stats["in_blocks"] += len(pairs)
                if not s.started and s.parent is not None:
                    stats["prefix_in"] += len(stored)
            if not s.started and s.parent is not None:
                stats["prefix_hits"] += s.prefix - len(stored)
            pairs = []
            for _ in range(grow):
                b = new_block(s, s.length)
                loc[b] = free.pop()
                pairs.append((loc[b], b))
                s.length += 1
            events.append(("compute", pairs))
            stats["computed"] += len(pairs)
            s.started = True
            s.last = step
            s.slice = (s.slice if s.slice > 0 else quantum) - 1
        # sequences sharing a prefix take hold of it once their parent has computed it (the
        # prefix cache keeps it, evictable like a sequence's blocks); they are requested (can
        # be scheduled) `delay` steps later
        for c in list(children):
            p = c.parent
            if p.length >= c.prefix:
                for b in p.blocks[:c.prefix]:
                    refs[b] += 1
                c.blocks = list(p.blocks[:c.prefix])
                c.length = c.prefix
                c.last, c.due = step, step + 1 + c.delay
                live.append(c)
                children.remove(c)
        # finished sequences release their blocks
        for s in [s for s in live if s.length >= s.target]:
            live.remove(s)
            dropped = []
            for b in s.blocks:
                refs[b] -= 1
                if refs[b] == 0:
                    if loc[b] == "store":
                        dropped.append(b)
                    elif isinstance(loc[b], int):
                        free.append(loc[b])
                    loc[b] = None
            if dropped:
                events.append(("drop", dropped))
        step += 1
        if step > 100000:
            raise SystemExit("trace: no progress")
    stats["steps"] = step
    stats["pool"], stats["batch"] = pool, batch
    return events, src, pool, stats


# ---------------------------------------------------------------- codecs

class Emzip:
    def __init__(self, tables, threads, dtype):
        self.codec = emzip.kv.KVCodec(tables, threads=threads)
        self.kw = {"dtype": dtype} if dtype in FP8 else {}
        self.name, self.threads = "emzip", threads

    def out(self, layer, cache, pages, slots):
        return self.codec.compress_blocks(cache, slots, layer, **self.kw)

    def inn(self, layer, cache, pages, slots, blobs):
        self.codec.decompress_blocks(blobs, out=cache, block_ids=slots, layer=layer, **self.kw)


class PerPage:
    """A codec applied page by page: K then V of each block, as compress_blocks orders them."""

    def __init__(self, name, enc, dec):
        self.name, self.threads, self.enc, self.dec = name, 1, enc, dec

    def out(self, layer, cache, pages, slots):
        enc = self.enc
        blobs = []
        for s in slots:
            blobs.append(enc(pages[0, s]))
            blobs.append(enc(pages[1, s]))
        return blobs

    def inn(self, layer, cache, pages, slots, blobs):
        dec = self.dec
        for i, s in enumerate(slots):
            pages[0, s] = np.frombuffer(dec(blobs[2 * i]), np.uint8)
            pages[1, s] = np.frombuffer(dec(blobs[2 * i + 1]), np.uint8)


def baselines(page):
    import lz4.block
    import zstandard

    zc = zstandard.ZstdCompressor(level=1)
    zd = zstandard.ZstdDecompressor()
    return [
        PerPage("zstd -1", zc.compress, zd.decompress),
        PerPage("lz4", lambda p: lz4.block.compress(p, store_size=False),
                lambda b: lz4.block.decompress(b, uncompressed_size=page)),
        PerPage("memcpy", lambda p: p.tobytes(), lambda b: b),
    ]


# ---------------------------------------------------------------- replay

def replay(codec, events, src, test, dtype, pool_blocks, layers):
    """Runs the trace with one codec; returns its measurements and the number of bad pages."""
    shape = test[0][0].shape
    caches = [to_torch(np.zeros((2, pool_blocks) + tuple(shape[2:]), test[0][0].dtype), dtype)
              for _ in range(layers)]
    pages = [u8_pages(c) for c in caches]
    srcp = [[u8_pages_np(test[p][L]) for L in range(layers)] for p in range(len(test))]
    page = pages[0].shape[2]
    store = {}  # bid -> per layer blob list (K, V)
    cur = peak = 0
    out_t, out_n, in_t, in_n = [], [], [], []
    total = dict(out_orig=0, out_bytes=0, in_orig=0, bad=0, peak_store=0, peak_orig=0)
    stored_orig = 0
    clock = time.perf_counter_ns
    # warm-up: one call each way on the first test prompt's first blocks (not measured)
    for L in range(layers):
        pages[L][:, 0] = srcp[0][L][:, 0]
        blobs = codec.out(L, caches[L], pages[L], [0])
        codec.inn(L, caches[L], pages[L], [0], blobs)
    gc.disable()
    try:
        for kind, items in events:
            if kind == "compute":
                for slot, b in items:
                    p, j = src[b]
                    for L in range(layers):
                        pages[L][:, slot] = srcp[p][L][:, j]
            elif kind == "out":
                slots = [slot for slot, _ in items]
                per = [[] for _ in items]
                for L in range(layers):
                    t0 = clock()
                    blobs = codec.out(L, caches[L], pages[L], slots)
                    t1 = clock()
                    out_t.append(t1 - t0)
                    out_n.append(2 * len(slots))
                    for i in range(len(items)):
                        per[i].append((blobs[2 * i], blobs[2 * i + 1]))
                    pages[L][:, slots] = POISON
                for i, (_, b) in enumerate(items):
                    store[b] = per[i]
                    n = sum(len(k) + len(v) for k, v in per[i])
                    cur += n
                    total["out_bytes"] += n
                total["out_orig"] += 2 * page * layers * len(items)
                stored_orig += 2 * page * layers * len(items)
                if cur > peak:
                    peak, total["peak_orig"] = cur, stored_orig
            elif kind == "in":
                slots = [slot for slot, _ in items]
                for L in range(layers):
                    blobs = [x for _, b in items for x in store[b][L]]
                    t0 = clock()
                    codec.inn(L, caches[L], pages[L], slots, blobs)
                    t1 = clock()
                    in_t.append(t1 - t0)
                    in_n.append(2 * len(slots))
                    for slot, b in items:
                        p, j = src[b]
                        if not np.array_equal(pages[L][:, slot], srcp[p][L][:, j]):
                            total["bad"] += 1
                            if total["bad"] <= 5:
                                print(f"MISMATCH: {codec.name} threads={codec.threads} {dtype} "
                                      f"layer {L} block {b} (prompt {p} page {j}) slot {slot}",
                                      file=sys.stderr)
                for _, b in items:
                    cur -= sum(len(k) + len(v) for k, v in store.pop(b))
                total["in_orig"] += 2 * page * layers * len(items)
                stored_orig -= 2 * page * layers * len(items)
            elif kind == "drop":
                for b in items:
                    cur -= sum(len(k) + len(v) for k, v in store.pop(b))
                    stored_orig -= 2 * page * layers
    finally:
        gc.enable()
    total["peak_store"] = peak
    total["out"] = (np.array(out_t, dtype=np.float64), np.array(out_n))
    total["in"] = (np.array(in_t, dtype=np.float64), np.array(in_n))
    return total


def u8_pages_np(raw):
    return raw.view(np.uint8).reshape(2, raw.shape[1], -1)


def per_page_pct(times_ns, pages, q):
    """Percentiles over pages of call time / pages in the call, in microseconds."""
    if len(times_ns) == 0:
        return float("nan")
    return float(np.percentile(np.repeat(times_ns / pages, pages), q)) / 1000.0


def gbps(nbytes, times_ns):
    t = float(np.sum(times_ns))
    return nbytes / t if t > 0 else float("nan")  # bytes per ns = GB/s


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("datadir")
    ap.add_argument("--quick", action="store_true", help="a small trace (CI)")
    ap.add_argument("--dtypes", default=",".join(DTYPES))
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--repeat", type=int, default=None,
                    help="runs of the trace per codec, the fastest reported (default 3; "
                         "--quick: 1)")
    args = ap.parse_args()
    if args.repeat is None:
        args.repeat = 1 if args.quick else 3
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")

    start = time.time()
    print(f"# K/V offload benchmark: {args.datadir}{' (--quick)' if args.quick else ''}")
    print(f"load average at start (1/5/15 min): "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}; {os.cpu_count()} processors; "
          f"emzip from {os.path.dirname(emzip.kv.__file__)}")
    dtypes = [d for d in args.dtypes.split(",")
              if os.path.isdir(os.path.join(args.datadir, d))]
    if not dtypes:
        raise SystemExit(f"{args.datadir}: none of {args.dtypes} present")
    bad_total = 0
    trace = None
    for dtype in dtypes:
        t0 = time.time()
        train, test, meta = load_dtype(args.datadir, dtype)
        layers = len(train[0])
        nb = test[0][0].shape[1]
        if trace is None or trace[0] != (len(test), nb):
            events, src, pool, stats = make_trace(len(test), nb, args.quick, args.seed)
            trace = ((len(test), nb), events, src, pool, stats)
            print()
            print(f"trace (seed {args.seed}): {stats['seqs']} sequences on {len(test)} test "
                  f"prompts of {nb} blocks ({stats['shared_seqs']} share a prefix of an earlier "
                  f"one), pool of {pool} blocks, batch of up to {stats['batch']} sequences, "
                  f"{stats['steps']} steps; {stats['computed']} blocks computed; swap-out "
                  f"{stats['out_calls']} calls / {stats['out_blocks']} blocks, swap-in "
                  f"{stats['in_calls']} calls / {stats['in_blocks']} blocks (per layer; "
                  f"{stats['prefix_in']} of them shared-prefix blocks reused from the store, "
                  f"{stats['prefix_hits']} reused in the pool); {stats['deferred']} "
                  f"deferrals (no room)")
            print("threads: emzip on 1 and on 2 (one KVCodec with threads=2 per call); zstd -1, "
                  "lz4 and memcpy per page on one thread only (Python bindings, no threads). "
                  "Latencies: call time / pages in the call, percentiles over pages. "
                  f"Each codec runs the trace {args.repeat} time(s), codecs interleaved; the "
                  "run with the least time in calls is reported (every run is checked).")
        _, events, src, pool, stats = trace
        kw = {"dtype": dtype} if dtype in FP8 else {}
        tt = time.time()
        tables = emzip.kv.Tables.train(
            [[to_torch(p[L], dtype) for p in train] for L in range(layers)], **kw)
        tt = time.time() - tt
        page = test[0][0][0, 0].nbytes
        codecs = [Emzip(tables, 1, dtype), Emzip(tables, 2, dtype)] + baselines(page)
        print()
        print(f"## {dtype}: {layers} layers, pages of {page} bytes ({meta['block_size']} tokens x "
              f"{meta['num_kv_heads']} heads x {meta['head_dim']}); tables trained on "
              f"{len(train)} prompts in {tt:.2f} s, {len(tables.save())} bytes (held once per "
              f"model, not counted below); {len(test)} test prompts")
        print()
        print("| codec | threads | store / original | saved | peak store MiB (of) "
              "| out p50 us | out p99 us | in p50 us | in p99 us | out GB/s | in GB/s |")
        print("|---|---|---|---|---|---|---|---|---|---|---|")
        bad = 0
        best = [None] * len(codecs)
        for _ in range(args.repeat):  # codecs interleaved, so that a burst of load hits all
            for k, codec in enumerate(codecs):
                r = replay(codec, events, src, test, dtype, pool, layers)
                bad += r["bad"]
                r["bad_any"] = r["bad"] + (best[k]["bad_any"] if best[k] else 0)
                r["time"] = float(np.sum(r["out"][0]) + np.sum(r["in"][0]))
                if best[k] is None or r["time"] < best[k]["time"]:
                    best[k] = r
                else:
                    best[k]["bad_any"] = r["bad_any"]
        for codec, r in zip(codecs, best):
            (ot, on), (it, inn) = r["out"], r["in"]
            ratio = r["out_bytes"] / r["out_orig"] if r["out_orig"] else float("nan")
            threads = str(codec.threads) if codec.name == "emzip" else "1 (only)"
            print(f"| {codec.name}{' MISMATCH' if r['bad_any'] else ''} | {threads} | {ratio:.4f} "
                  f"| {100 * (1 - ratio):.1f} % "
                  f"| {r['peak_store'] / 2**20:.1f} ({r['peak_orig'] / 2**20:.1f}) "
                  f"| {per_page_pct(ot, on, 50):.1f} | {per_page_pct(ot, on, 99):.1f} "
                  f"| {per_page_pct(it, inn, 50):.1f} | {per_page_pct(it, inn, 99):.1f} "
                  f"| {gbps(r['out_orig'], ot):.2f} | {gbps(r['in_orig'], it):.2f} |")
            sys.stdout.flush()
        print()
        print(f"({dtype}: {time.time() - t0:.1f} s; every swapped-in page checked bit-exact "
              f"against the original: {f'{bad} MISMATCHES' if bad else 'all equal'})")
        bad_total += bad
    print()
    print(f"load average at end (1/5/15 min): {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          f"total {time.time() - start:.1f} s")
    if bad_total:
        print(f"FAILED: {bad_total} swapped-in pages differ from the originals", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
