#!/usr/bin/python3
"""Loading compressed checkpoints from Python: emzip.load_file against the floor and the C tool.

usage: PYTHONPATH=build/python bench/python_load.py [--reps N] [--threads T] [--emzip-load EXE]
                                                    FILE.safetensors...

For each checkpoint (compressed first into a temporary .emz with emzip.compress_file), times,
interleaved in every repetition so that load on a shared machine falls on all alike, each as
the median of --calls calls in a row (repeated calls, as the C tool times its own):
  - emzip.load_file(FILE.emz, framework="pt", threads=T): torch tensors, everything included
    (opening the file, allocating the buffer, decoding, making the tensors);
  - the same with framework="np";
  - the floor: the uncompressed file read with numpy.memmap and each tensor copied into a torch
    tensor (torch.frombuffer on the mapped bytes, then clone), file in the page cache;
  - with --emzip-load, load_file pt again in a fresh Python process each repetition, timed on
    the C tool's schedule (bench/timing.c) after three rounds of set-up: a warm-up call, then
    --calls repetitions, each the mean of as many calls in a row as take 10 ms, a whole-file
    decode to /dev/null (the tool's "stream" row) between them. A new Python process runs its
    first loads 8-10x slower and then speeds up over a few more (4.7 ms, then 4.2, 4.0, 3.9,
    3.8 here): timed after one warm-up call, as before, Python's median fell inside that ramp
    while the tool's, at its 30th decode or so, did not;
and, in the same repetition, bench's C tool `emzip-load FILE.emz CALLS T` on the same file,
whose "load" row (median of its calls) is emz_reader_read alone, into a buffer allocated and
touched beforehand (no open, no allocation, no page faults). Prints medians in GB/s of tensor
data (the original file's bytes), and load_file's speed as a fraction of emzip-load's: the
median of the repetitions' ratios, each of two figures measured back to back (on a shared
machine the C tool alone swung 2x between runs when it ran after all the Python repetitions).

Then, with --pair A B: two Python threads each loading its own file concurrently (load_file),
and each decompressing one frame of its file's bytes (decompress), against the same two calls
one after the other (medians); the ratio shows whether the GIL is released.
"""

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import warnings

import numpy as np
import torch

import emzip


def floor_load(path):
    """The uncompressed safetensors file, mapped, each tensor copied into a torch tensor."""
    mapped = np.memmap(path, dtype=np.uint8, mode="r")
    n = int.from_bytes(mapped[:8].tobytes(), "little")
    header = json.loads(mapped[8:8 + n].tobytes())
    header.pop("__metadata__", None)
    base = 8 + n
    out = {}
    with warnings.catch_warnings():  # frombuffer warns of a read-only map; the clone copies
        warnings.simplefilter("ignore")
        for name, e in header.items():
            a, b = e["data_offsets"]
            raw = torch.frombuffer(memoryview(mapped[base + a:base + b]), dtype=torch.uint8) \
                if b > a else torch.empty(0, dtype=torch.uint8)
            out[name] = raw.clone()
    return out


def timed(fn):
    """Seconds fn took; what it returns is freed after the clock stops (the C tool's load row
    does not free its buffer either)."""
    t0 = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - t0
    del result
    return seconds


def emzip_load_gbps(exe, packed, reps, threads):
    out = subprocess.run([exe, packed, str(reps), str(threads)], check=True,
                         capture_output=True, text=True).stdout
    for line in out.splitlines():
        fields = line.split()
        if len(fields) >= 3 and fields[0] == str(threads) and fields[1] == "load":
            return float(fields[2])
    raise RuntimeError(f"no load row in emzip-load's output:\n{out}")


def fresh_process_seconds(packed, calls, threads):
    """load_file pt timed as emzip-load times its load: in a process of its own (median of
    `calls` calls in a row). One process runs with one placement of its memory for its whole
    life, and two processes of the same program differed by up to 10% here; the C tool runs
    in a new one every repetition, so this gives Python the same draw."""
    out = subprocess.run([sys.executable, os.path.abspath(__file__), "--worker", packed,
                          "--calls", str(calls), "--threads", str(threads)],
                         check=True, capture_output=True, text=True, env=os.environ).stdout
    return float(out.split()[-1])


def worker(packed, calls, threads):
    """load_file pt on emzip-load's schedule (timing.c's time_interleaved): warm-up calls of
    both rows, then repetitions of as many calls as fill MIN_REP_SECONDS, alternating with the
    streamed decode. Each call is timed alone: its tensors are freed after its clock stops."""
    load = lambda: emzip.load_file(packed, framework="pt", threads=threads)  # noqa: E731
    with open(os.devnull, "wb") as sink:
        def stream():
            with emzip.safe_open(packed) as f:
                f._reader.decompress_to(sink.fileno(), threads=threads)

        # A new Python process's first two loads ran 8-10x slower than the rest here (torch's
        # lazy set-up, the buffer's first page faults), where the tool's first call is already
        # at speed; three rounds before the warm-up the tool's schedule starts with.
        for _ in range(3):
            load(), stream()
        iters = max(1, math.ceil(0.01 / timed(load)))
        stream()
        per_call = []
        for _ in range(calls):
            per_call.append(sum(timed(load) for _ in range(iters)) / iters)
            for _ in range(iters):
                stream()
    print(statistics.median(per_call))


def bench_file(path, packed, args):
    size = os.path.getsize(path)
    cases = {
        "load_file pt": lambda: emzip.load_file(packed, framework="pt", threads=args.threads),
        "load_file np": lambda: emzip.load_file(packed, framework="np", threads=args.threads),
        "floor (memmap + copy)": lambda: floor_load(path),
    }
    for fn in cases.values():  # warm up: page cache, allocator, imports
        fn()
    times = {name: [] for name in cases}
    c_tool, fresh, ratios, fresh_ratios = [], [], [], []
    for _ in range(args.reps):
        for name, fn in cases.items():
            times[name].append(statistics.median(timed(fn) for _ in range(args.calls)))
        if args.emzip_load:
            c_tool.append(emzip_load_gbps(args.emzip_load, packed, args.calls, args.threads))
            ratios.append(size / times["load_file pt"][-1] / 1e9 / c_tool[-1])
            fresh.append(fresh_process_seconds(packed, args.calls, args.threads))
            fresh_ratios.append(size / fresh[-1] / 1e9 / c_tool[-1])
    print(f"{os.path.basename(path)}: {size} bytes, threads={args.threads}, "
          f"median of {args.reps} repetitions of {args.calls} calls"
          + (f", all on processor {args.cpu}" if args.cpu is not None else ""))
    for name, ts in times.items():
        print(f"  {name:24s} {size / statistics.median(ts) / 1e9:7.2f} GB/s")
    if c_tool:
        print(f"  {'load_file pt, fresh proc':24s} {size / statistics.median(fresh) / 1e9:7.2f} GB/s")
        print(f"  {'emzip-load (C) load':24s} {statistics.median(c_tool):7.2f} GB/s")
        for label, r in (("load_file pt", ratios), ("load_file pt, fresh proc", fresh_ratios)):
            print(f"  {label} / emzip-load = {statistics.median(r):.3f} (median of the "
                  f"repetitions' ratios; quartiles {statistics.quantiles(r, n=4)[0]:.3f}, "
                  f"{statistics.quantiles(r, n=4)[2]:.3f})")


def two_threads(label, work, items, reps):
    """work(item) for both items: in two Python threads at once, and one after the other."""
    def concurrent():
        ts = [threading.Thread(target=work, args=(item,)) for item in items]
        for t in ts:
            t.start()
        for t in ts:
            t.join()

    def sequential():
        for item in items:
            work(item)

    concurrent(), sequential()
    seq, par, alone = [], [], [[] for _ in items]
    for _ in range(reps):
        seq.append(timed(sequential))
        par.append(timed(concurrent))
        for k, item in enumerate(items):
            alone[k].append(timed(lambda: work(item)))
    s, p = statistics.median(seq), statistics.median(par)
    # Two threads cannot beat the longer call: files of unequal size cap the speed-up below 2x
    # (12.5 MB with 7 MB: 1.56x).
    each = [statistics.median(a) for a in alone]
    print(f"2 Python threads, {label}: sequential {s * 1e3:.1f} ms, concurrent {p * 1e3:.1f} ms:"
          f" {s / p:.2f}x (at most {sum(each) / max(each):.2f}x: the calls alone take "
          + ", ".join(f"{e * 1e3:.1f}" for e in each) + " ms)")


def bench_pair(paths, packed, args):
    names = ", ".join(os.path.basename(p) for p in paths)
    two_threads(f"load_file of 2 files ({names})",
                lambda p: emzip.load_file(p, framework="np", threads=1), packed, args.reps)
    # The same files' bytes as one BF16 frame each: the codec alone, no per-tensor Python.
    frames = [emzip.compress(np.fromfile(p, dtype=np.uint8), "bf16") for p in paths]
    two_threads("decompress of 2 frames", lambda f: emzip.decompress(f), frames, args.reps)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("files", nargs="*")
    parser.add_argument("--reps", type=int, default=11)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--calls", type=int, default=5,
                        help="calls in a row each repetition times (median), for each case and "
                             "for emzip-load")
    parser.add_argument("--emzip-load", help="bench's emzip-load (build/bench/emzip-load)")
    parser.add_argument("--pair", nargs=2, metavar="FILE",
                        help="two safetensors files for the 2-thread check")
    parser.add_argument("--cpu", type=int,
                        help="with --threads 1: run on this processor only, emzip-load too (it "
                             "inherits the setting): on a shared machine one core can be slower "
                             "than the other for minutes, and the tool and Python would land on "
                             "different ones")
    parser.add_argument("--worker", metavar="FILE.emz", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.calls, args.threads)
        return 0
    if args.cpu is not None:
        if args.threads != 1:
            parser.error("--cpu needs --threads 1")
        os.sched_setaffinity(0, {args.cpu})
    with tempfile.TemporaryDirectory() as tmp:
        for path in args.files:
            packed = emzip.compress_file(path, os.path.join(tmp, os.path.basename(path) + ".emz"))
            bench_file(path, packed, args)
        if args.pair:
            packed = [emzip.compress_file(p, os.path.join(tmp, f"pair{i}.emz"))
                      for i, p in enumerate(args.pair)]
            bench_pair(args.pair, packed, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
