#!/usr/bin/python3
"""Stage profile: where emzip's time goes, per dtype, implementation and direction.

usage: bench/stage-profile.py [--build build] [--impl avx512[,avx2,...]] [--seconds S]
                              [--op decompress,compress] FILE.safetensors...

For each file (one dtype each, e.g. the corpus' movenet_thunder.bf16.safetensors), each
implementation and each direction, runs `emzip-profile-loop OP checkpoint FILE N IMPL` (the file
as checkpoint mode writes it: one segment per tensor; decompression opens the container in
memory and reads it whole) under `perf record -e cpu-clock` for about S seconds, and sorts the
samples' functions into stages:

  huffman decode / huffman encode   the lane loops (emz_huff_decode, fast4, fast6, lockstep8, encode)
  code tables                       code lengths, encoder and decoder tables, table bytes
  histogram                         symbol counts and the entropy estimates that pick modes
  split / merge                     exponent / sign+mantissa split and merge, byte planes, bit
                                    packing
  checksum                          XXH3 of chunks, headers and indexes
  memcpy / memset                   libc copies (compression's source read from memory is one)
  kernel                            page faults and system calls
  frame, chunk and other            the rest: frame and container set-up, index, dispatch,
                                    mode planning, the safetensors header, threads

and prints, per configuration, each stage's share of the samples and the speed it alone would
run at (original bytes / its share of the median operation time), beside the memcpy floor of
the same bytes (`emzip-profile-loop memcpy`). The loop's set-up (reading the file, the first
compression) is in the samples too: under 2% of them at the default length. This is a
profile, not a benchmark: the medians come from the profiled runs themselves, one after the
other, not interleaved; emzip-bench measures speed.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

STAGES = [
    ("huffman decode", r"^(emz_huff_decode|emz_huff_fast4|emz_huff_fast6|emz_huff_lockstep|"
                       r"decode_tail|decode_one|decode_four|decode_sixteen|decode_lockstep|"
                       r"fill_slot)"),
    ("huffman encode", r"^emz_huff_encode"),
    ("code tables", r"^(emz_huff_lengths|emz_huff_enc_init|emz_huff_dec_init|emz_huff_table_|"
                    r"emz_huff_dec_wants|emz_huff_dec_multi|reverse_bits)"),
    ("histogram", r"^(emz_histogram|emz_fp16_high_hists|emz_fp32_top_hists|emz_entropy_|"
                  r"estimate)"),
    ("split / merge", r"^(emz_split_|emz_merge_|emz_bytes[24]_|emz_fp16_planes|emz_fp32_planes|"
                      r"emz_pack_bits|emz_unpack_bits)"),
    ("checksum", r"^(XXH|emz_checksum32|emz_hash64)"),
    ("memcpy / memset", r"^(__mem(move|cpy|set)|memcpy|memmove|memset)"),
]
KERNEL = "kernel"
OTHER = "frame, chunk and other"


def stage_of(symbol, is_kernel):
    if is_kernel:
        return KERNEL
    for name, pattern in STAGES:
        if re.match(pattern, symbol):
            return name
    return OTHER


def run_loop(exe, args):
    out = subprocess.run([exe] + args, check=True, capture_output=True, text=True).stdout
    m = re.search(r"median ([0-9.]+) ms", out)
    if not m:
        raise RuntimeError(f"no median in: {out}")
    return float(m.group(1)) * 1e-3, out.strip()


def profile(exe, op, path, impl, seconds, tmp):
    median, _ = run_loop(exe, [op, "checkpoint", path, "3", impl])
    iterations = max(5, int(seconds / max(median, 1e-6)))
    data = os.path.join(tmp, "perf.data")
    subprocess.run(["perf", "record", "-q", "-e", "cpu-clock", "-o", data, exe, op,
                    "checkpoint", path, str(iterations), impl],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    median, line = run_loop(exe, [op, "checkpoint", path, str(max(5, iterations // 4)), impl])
    report = subprocess.run(["perf", "report", "-i", data, "--stdio", "--no-children",
                             "--sort", "sym", "--percent-limit", "0"],
                            check=True, capture_output=True, text=True).stdout
    shares = {}
    for row in report.splitlines():
        m = re.match(r"\s*([0-9.]+)%\s+\[([.k])\]\s+(\S+)", row)
        if m:
            stage = stage_of(m.group(3), m.group(2) == "k")
            shares[stage] = shares.get(stage, 0.0) + float(m.group(1))
    return median, shares, line


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("files", nargs="+")
    parser.add_argument("--build", default="build")
    parser.add_argument("--impl", default="avx512")
    parser.add_argument("--op", default="decompress,compress")
    parser.add_argument("--seconds", type=float, default=2.0)
    args = parser.parse_args()
    exe = os.path.join(args.build, "bench", "emzip-profile-loop")
    order = [s for s, _ in STAGES] + [KERNEL, OTHER]
    with tempfile.TemporaryDirectory() as tmp:
        for path in args.files:
            size = os.path.getsize(path)
            floor, _ = run_loop(exe, ["memcpy", "checkpoint", path, "200"])
            print(f"\n### {os.path.basename(path)} ({size:,} bytes; memcpy of them "
                  f"{size / floor / 1e9:.1f} GB/s)\n")
            for impl in args.impl.split(","):
                for op in args.op.split(","):
                    median, shares, _ = profile(exe, op, path, impl, args.seconds, tmp)
                    total = sum(shares.values()) or 1.0
                    print(f"{op}, {impl}: {size / median / 1e9:.2f} GB/s (median "
                          f"{median * 1e3:.2f} ms)\n")
                    print("| stage | share | GB/s alone |")
                    print("|---|---:|---:|")
                    for stage in order:
                        share = shares.get(stage, 0.0) / total
                        if share <= 0:
                            continue
                        speed = size / (share * median) / 1e9
                        print(f"| {stage} | {share * 100:.1f}% | {speed:.1f} |")
                    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
