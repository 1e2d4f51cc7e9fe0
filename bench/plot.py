#!/usr/bin/python3
"""Scatter plot of emzip-bench --json output: decompression GB/s (log) against ratio %.

usage: /usr/bin/python3 bench/plot.py RESULTS.json [--file NAME] [-o OUT.png]

One point per codec + level for the chosen file (by default the first in the JSON; NAME may be
the base name, e.g. movenet_thunder.bf16.safetensors, or any unique substring of it). Lower
ratio (left) is smaller output; higher is faster decompression.
"""
import argparse
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

COLOURS = {"emzip": "tab:red", "emzip-stream": "tab:orange", "libdeflate": "tab:blue", "zstd": "tab:green",
           "memcpy": "tab:gray"}
MARKERS = {"emzip": "o", "emzip-stream": "P", "libdeflate": "s", "zstd": "^", "memcpy": "D"}


def to_px_inv(ax, px, py):
    return tuple(ax.transData.inverted().transform((px, py)))


def pick_file(files, name):
    if name is None:
        return files[0]
    exact = [f for f in files if f["name"] == name or f["file"] == name]
    if exact:
        return exact[0]
    hits = [f for f in files if name in f["name"]]
    if len(hits) != 1:
        sys.exit(f"plot.py: --file {name!r} matches {len(hits)} files: "
                 + ", ".join(f["name"] for f in hits or files))
    return hits[0]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("json", help="output of emzip-bench --json")
    ap.add_argument("--file", help="which file of the results to plot (default: the first)")
    ap.add_argument("-o", "--output", default="emzip-bench.png", help="PNG to write")
    args = ap.parse_args()

    with open(args.json) as fh:
        data = json.load(fh)
    files = [f for f in data["files"] if f.get("results")]
    if not files:
        sys.exit("plot.py: no results in " + args.json)
    f = pick_file(files, args.file)

    fig, ax = plt.subplots(figsize=(8, 5.5), dpi=120)
    pts = []  # (codec, level, x, y)
    for r in f["results"]:
        if r.get("decomp_gbps") and r["decomp_gbps"] > 0:
            pts.append((r["codec"], r["level"], r["ratio_pct"], r["decomp_gbps"]))
    seen = set()
    for codec, level, x, y in pts:
        ax.scatter(x, y, s=70, color=COLOURS.get(codec, "tab:purple"), marker=MARKERS.get(codec, "o"),
                   edgecolors="black", linewidths=0.5, zorder=3, label=codec if codec not in seen else None)
        seen.add(codec)
    ax.set_yscale("log")
    xs = [p[2] for p in pts]
    ys = [p[3] for p in pts]
    ax.set_xlim(min(xs) - 5, max(xs) + 8)
    ax.set_ylim(min(ys) / 1.6, max(ys) * 1.6)
    ax.set_xlabel("compressed size, % of original (lower is better)")
    ax.set_ylabel("decompression GB/s, single thread (log)")
    ax.set_title(f"{f['name']}  ({f['file_size'] / 1e6:.2f} MB, dominant {f.get('dominant_dtype', '?')})\n"
                 f"emzip {data.get('emzip_version', '?')}, chunk {data.get('chunk_size', '?')} B", fontsize=10)
    ax.grid(True, which="both", alpha=0.3)

    # Labels: points of one codec that sit on top of each other share one label ("zstd 1, 3");
    # the rest are placed greedily at the first offset that does not collide with a placed label.
    fig.canvas.draw()
    to_px = ax.transData.transform
    groups = []  # [codec, [levels], px, py]
    for codec, level, x, y in pts:
        px, py = to_px((x, y))
        for g in groups:
            if g[0] == codec and abs(g[2] - px) < 14 and abs(g[3] - py) < 14:
                g[1].append(level)
                break
        else:
            groups.append([codec, [level], px, py])
    placed = [(to_px((x, y))[0] - 7, to_px((x, y))[1] - 7, to_px((x, y))[0] + 7, to_px((x, y))[1] + 7)
              for _, _, x, y in pts]  # markers and label boxes in pixels: (x0, y0, x1, y1)
    # offsets in points; labels are vertically centred on (point + offset)
    offsets = [(7, 0), (-7, 0), (7, 9), (7, -9), (-7, 9), (-7, -9), (7, 18), (7, -18), (-7, 18), (-7, -18)]
    for codec, levels, px, py in groups:
        levels = [lv for lv in levels if lv not in ("-", "")]
        text = codec + (" " + ", ".join(levels) if levels else "")
        w, h = 4.9 * len(text) * 120 / 72, 10 * 120 / 72
        for dx, dy in offsets:
            dxp, dyp = dx * 120 / 72, dy * 120 / 72
            x0 = px + dxp if dx > 0 else px + dxp - w
            box = (x0, py + dyp - h / 2, x0 + w, py + dyp + h / 2)
            if not any(b[0] < box[2] and box[0] < b[2] and b[1] < box[3] and box[1] < b[3] for b in placed):
                break
        placed.append(box)
        ax.annotate(text, to_px_inv(ax, px, py), textcoords="offset points", xytext=(dx, dy), fontsize=8,
                    ha="left" if dx > 0 else "right", va="center")
    ax.legend(loc="lower right", fontsize=9)
    fig.tight_layout()
    fig.savefig(args.output)
    print(f"wrote {args.output} ({f['name']})")


if __name__ == "__main__":
    main()
