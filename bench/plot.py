#!/usr/bin/python3
"""Scatter plots of emzip-bench --json output: throughput (GB/s, log) against ratio %.

usage: /usr/bin/python3 bench/plot.py RESULTS.json [--file NAME | --corpus] [--title T] [-o OUT.png]

--file NAME: one file of the results (NAME: its base name, e.g. movenet_thunder.bf16.safetensors,
    or any unique substring of it); two panels, decompression and compression.
--corpus (the default when the JSON holds several files and --file is not given): files grouped
    by their dominant dtype (BF16, F16, F32, F8_E4M3, ...), one row of two panels per dtype.
    Each point is the group's total: ratio = all compressed bytes / all original bytes, speed =
    all bytes / all time (so large files weigh by their size, as in a checkpoint).

One point per codec + level (libdeflate 1/6/12, zstd 1/3/19) and one per emzip implementation
(scalar, avx2, avx512, ...) for each emzip mode: per-tensor frames ("emzip", checksums verified)
and one frame per dtype ("emzip-stream"). memcpy, the ceiling, is the dashed line. Lower ratio
(left) is smaller output; higher is faster.
"""
import argparse
import json
import sys
from collections import OrderedDict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

IMPL_COLOURS = {"scalar": "#f4a582", "avx2": "#d6604d", "avx512": "#67001f", "neon": "#762a83"}
BASE_STYLE = {"libdeflate": ("tab:blue", "s"), "zstd": ("tab:green", "^")}
MODE_MARKERS = {"emzip": "o", "emzip-stream": "P"}
MODE_NAMES = {"emzip": "emzip (frame per tensor)", "emzip-stream": "emzip-stream (frame per dtype)"}


def pick_file(files, name):
    exact = [f for f in files if f["name"] == name or f["file"] == name]
    if exact:
        return exact[0]
    hits = [f for f in files if name in f["name"]]
    if len(hits) != 1:
        sys.exit(f"plot.py: --file {name!r} matches {len(hits)} files: "
                 + ", ".join(f["name"] for f in hits or files))
    return hits[0]


def wanted(row):
    """The rows that become points: unverified decompression would double every emzip point
    for a few percent, so it stays in the tables."""
    return not (row["codec"] == "emzip" and row["level"] == "noverify")


def aggregate(files):
    """(codec, level, impl) -> ratio %, comp GB/s, decomp GB/s over all files: sums of bytes
    and of time, so that the result is what compressing the files one after another gives."""
    acc = OrderedDict()
    for f in files:
        for r in f["results"]:
            if not wanted(r):
                continue
            key = (r["codec"], r["level"], r.get("impl", "-"))
            a = acc.setdefault(key, {"orig": 0.0, "comp_bytes": 0.0, "bytes": 0.0, "ct": 0.0, "dt": 0.0,
                                     "ok": True})
            a["orig"] += f["file_size"]
            a["comp_bytes"] += r["ratio_pct"] / 100.0 * f["file_size"]
            a["bytes"] += r["bytes"]
            if r["comp_gbps"] and r["decomp_gbps"]:
                a["ct"] += r["bytes"] / (r["comp_gbps"] * 1e9)
                a["dt"] += r["bytes"] / (r["decomp_gbps"] * 1e9)
            else:
                a["ok"] = False
    pts = []
    for (codec, level, impl), a in acc.items():
        if not a["ok"] or a["ct"] <= 0 or a["dt"] <= 0:
            continue
        pts.append({"codec": codec, "level": level, "impl": impl, "ratio": 100.0 * a["comp_bytes"] / a["orig"],
                    "comp": a["bytes"] / a["ct"] / 1e9, "decomp": a["bytes"] / a["dt"] / 1e9})
    return pts


def style(p):
    if p["codec"] in MODE_MARKERS:
        return IMPL_COLOURS.get(p["impl"], "tab:purple"), MODE_MARKERS[p["codec"]]
    return BASE_STYLE.get(p["codec"], ("tab:gray", "D"))


def draw_panel(ax, pts, which, title):
    memcpy = [p for p in pts if p["codec"] == "memcpy"]
    pts = [p for p in pts if p["codec"] != "memcpy"]
    # The implementations of one emzip mode share their ratio and are often close in speed:
    # each later one is drawn smaller and on top, so stacked points stay visible as rings.
    impls = [i for i in IMPL_COLOURS if any(p["impl"] == i for p in pts)]
    for p in pts:
        colour, marker = style(p)
        size, z = 60, 3
        if p["codec"] in MODE_MARKERS and p["impl"] in impls:
            k = impls.index(p["impl"])
            size, z = 110 * 0.55 ** k, 3 + k
        ax.scatter(p["ratio"], p[which], s=size, color=colour, marker=marker, edgecolors="black",
                   linewidths=0.5, zorder=z)
    ys = [p[which] for p in pts]
    xs = [p["ratio"] for p in pts]
    top = max(ys) * 2
    if memcpy:
        m = memcpy[0]["decomp"]
        ax.axhline(m, color="tab:gray", linestyle="--", linewidth=1)
        ax.annotate(f"memcpy {m:.0f} GB/s", (min(xs) - 3, m), textcoords="offset points", xytext=(0, 3),
                    fontsize=7, color="tab:gray")
        top = max(top, m * 1.6)
    ax.set_yscale("log")
    ax.set_xlim(min(xs) - 4, max(xs) + 4)
    ax.set_ylim(min(ys) / 1.8, top)
    ax.set_xlabel("compressed size, % of original (lower is better)", fontsize=8)
    ax.set_ylabel(("decompression" if which == "decomp" else "compression") + " GB/s (log)", fontsize=8)
    ax.set_title(title, fontsize=9)
    ax.tick_params(labelsize=7)
    ax.grid(True, which="both", alpha=0.3)
    label_levels(ax, [p for p in pts if p["codec"] in BASE_STYLE], which)


def label_levels(ax, pts, which):
    """Baseline points get their level as a label; emzip points are told apart by the legend.
    Levels of one codec often land on top of each other (zstd 1 and 3), so each label takes
    the first offset whose box, in pixels, overlaps no label placed before it."""
    to_px = ax.transData.transform  # valid once the limits are set; no draw needed
    placed = []
    offsets = [(6, -3), (6, 7), (6, -13), (-14, -3), (6, 17), (6, -23), (-14, 7), (-14, -13)]
    scale = ax.figure.dpi / 72.0
    for p in sorted(pts, key=lambda q: -q[which]):
        px, py = to_px((p["ratio"], p[which]))
        w, h = (5 * len(p["level"]) + 2) * scale, 9 * scale
        for dx, dy in offsets:
            box = (px + dx * scale, py + dy * scale, px + dx * scale + w, py + dy * scale + h)
            if not any(b[0] < box[2] and box[0] < b[2] and b[1] < box[3] and box[1] < b[3] for b in placed):
                break
        placed.append(box)
        ax.annotate(p["level"], (p["ratio"], p[which]), textcoords="offset points", xytext=(dx, dy),
                    fontsize=7)


def legend_handles(pts):
    seen, handles = set(), []
    for p in pts:
        if p["codec"] == "memcpy":
            continue
        key = (p["codec"], p["impl"]) if p["codec"] in MODE_MARKERS else (p["codec"],)
        if key in seen:
            continue
        seen.add(key)
        colour, marker = style(p)
        label = f"{MODE_NAMES[p['codec']]} {p['impl']}" if p["codec"] in MODE_MARKERS else p["codec"] + " (level)"
        handles.append(Line2D([], [], color=colour, marker=marker, linestyle="", markeredgecolor="black",
                              markeredgewidth=0.5, markersize=7, label=label))
    return handles


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("json", help="output of emzip-bench --json (or --json-file)")
    ap.add_argument("--file", help="plot this one file of the results")
    ap.add_argument("--corpus", action="store_true", help="plot every file, grouped by dominant dtype")
    ap.add_argument("--title", help="first line of the figure title (e.g. the machine)")
    ap.add_argument("-o", "--output", default="emzip-bench.png", help="PNG to write")
    args = ap.parse_args()

    with open(args.json) as fh:
        data = json.load(fh)
    files = [f for f in data["files"] if f.get("results")]
    if not files:
        sys.exit("plot.py: no results in " + args.json)
    if args.file and args.corpus:
        sys.exit("plot.py: --file and --corpus exclude each other")
    if args.file or (not args.corpus and len(files) == 1):
        f = pick_file(files, args.file) if args.file else files[0]
        groups = [(f"{f['name']} ({f['file_size'] / 1e6:.2f} MB, main dtype {f.get('dominant_dtype', '?')})", [f])]
    else:
        by = OrderedDict()
        for f in files:
            by.setdefault(f.get("dominant_dtype", "?"), []).append(f)
        groups = []
        for dtype, fs in by.items():
            mb = sum(f["file_size"] for f in fs) / 1e6
            groups.append((f"{dtype}: {len(fs)} file{'s' if len(fs) > 1 else ''}, {mb:.1f} MB", fs))

    fig, axes = plt.subplots(len(groups), 2, figsize=(12, 4.2 * len(groups)), dpi=100, squeeze=False)
    all_pts = []
    for row, (title, fs) in enumerate(groups):
        pts = aggregate(fs)
        all_pts += pts
        draw_panel(axes[row][0], pts, "decomp", title + " - decompression")
        draw_panel(axes[row][1], pts, "comp", title + " - compression")
    impls = ", ".join(data.get("impls", []))
    head = (args.title + "\n") if args.title else ""
    fig.suptitle(f"{head}emzip-bench: emzip {data.get('emzip_version', '?')}, chunk {data.get('chunk_size', '?')} B, "
                 f"implementations {impls or '?'}; single thread, medians of up to {data.get('reps', '?')} runs",
                 fontsize=10)
    fig.legend(handles=legend_handles(all_pts), loc="lower center", ncol=4, fontsize=8, frameon=False)
    # room for the title above and the legend below, in inches whatever the number of rows
    height = fig.get_figheight()
    fig.tight_layout(rect=(0, 0.75 / height, 1, 1 - 0.55 / height))
    fig.savefig(args.output)
    print(f"wrote {args.output} ({len(groups)} panel rows)")


if __name__ == "__main__":
    main()
