#!/usr/bin/env python3
"""compare-builds.py: the tables of bench/compare-builds.sh.

  table BENCH_JSON SIZES_TSV  ratio table: new emzip (from emzip-bench's JSON, checked against
      the new CLI's sizes), old emzip (CLI sizes) and byte-group Huffman (emzip-bench), both
      modes; X marks new > BGH + 0.2 points and new > old + 0.1 points.
  speed DIR  median over the rounds of old.FILE.R.json and new.FILE.R.json (emzip-bench JSON):
      emzip (per tensor) and emzip-stream, checksums verified, comp and decomp GB/s per impl.
"""
import collections
import glob
import json
import os
import statistics
import sys


def table(bench_json, sizes_tsv):
    sizes = {}
    for line in open(sizes_tsv):
        b, mode, ty, n, new, old = line.split()
        sizes[(b, mode, ty)] = (int(n), int(new), int(old))
    print("| file | mode | data | bytes | new % | old % | BGH % | new−BGH pts | new−old pts"
          " | new > BGH+0.2 | new > old+0.1 |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|:-:|:-:|")
    rows = over_bgh = over_old = mismatches = 0
    for f in json.load(open(bench_json))["files"]:
        b = f["name"].removesuffix(".safetensors")
        cases = [("checkpoint", "whole", f["file_size"], f["container_bytes"],
                  f["bytegroup_checkpoint_bytes"])]
        cases += [("raw", s["emz_type"], s["bytes"], s["frame_bytes"], s["bytegroup_bytes"])
                  for s in f["streams"]]
        for mode, ty, n, new, bgh in cases:
            n_cli, new_cli, old = sizes[(b, mode, ty)]
            if n_cli != n or new_cli != new:
                mismatches += 1
                print(f"<!-- {b} {mode} {ty}: bench {n} -> {new}, CLI {n_cli} -> {new_cli} -->")
            pct = [100.0 * x / n for x in (new, old, bgh)]
            xb = pct[0] > pct[2] + 0.2 + 1e-9
            xo = pct[0] > pct[1] + 0.1 + 1e-9
            rows, over_bgh, over_old = rows + 1, over_bgh + xb, over_old + xo
            print(f"| {b} | {mode} | {ty} | {n} | {pct[0]:.2f} | {pct[1]:.2f} | {pct[2]:.2f}"
                  f" | {pct[0] - pct[2]:+.2f} | {pct[0] - pct[1]:+.2f} | {'X' if xb else ''}"
                  f" | {'X' if xo else ''} |")
    print(f"\n{rows} rows; new > BGH + 0.2 pts: {over_bgh}; new > old + 0.1 pts: {over_old};"
          f" bench / CLI size mismatches: {mismatches}")


def speed(d):
    vals = collections.defaultdict(list)
    for fn in sorted(glob.glob(os.path.join(d, "*.json"))):
        which, rest = os.path.basename(fn).split(".", 1)
        name = rest.rsplit(".", 2)[0]
        for r in json.load(open(fn))["files"][0]["results"]:
            if r["codec"] in ("emzip", "emzip-stream") and r["level"] == "verify":
                for k in ("decomp_gbps", "comp_gbps"):
                    vals[(name, r["codec"], r["impl"], k, which)].append(r[k])
    print("| file | mode | impl | GB/s | old median | new median | new/old | runs |")
    print("|---|---|---|---|---:|---:|---:|---:|")
    for k in sorted({k[:4] for k in vals}):
        o = statistics.median(vals[k + ("old",)])
        n = statistics.median(vals[k + ("new",)])
        print(f"| {k[0]} | {k[1]} | {k[2]} | {k[3].removesuffix('_gbps')} | {o:.2f} | {n:.2f}"
              f" | {n / o:.3f} | {len(vals[k + ('new',)])} |")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "table":
        table(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 3 and sys.argv[1] == "speed":
        speed(sys.argv[2])
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
