#!/usr/bin/python3
"""Scatter plots of emzip-bench --json output: throughput (GB/s, log) against ratio %.

usage: /usr/bin/python3 bench/plot.py RESULTS.json [--file NAME | --corpus] [--title T] [-o OUT.png]

--file NAME: one file of the results (NAME: its base name, e.g. movenet_thunder.bf16.safetensors,
    or any unique substring of it); two panels, decompression and compression.
--corpus (the default when the JSON holds several files and --file is not given): files grouped
    by their dominant dtype (BF16, F16, F32, F8_E4M3, F8_E5M2, FP4), one row of two panels per
    dtype. Each point is the group's total: ratio = all compressed bytes / all original bytes,
    speed = all bytes / all time (so large files weigh by their size, as in a checkpoint).

One point per emzip implementation (scalar, avx2, avx512, neon) for each emzip mode: a frame per
tensor (filled, checksums verified) and a frame per dtype (emzip-stream, hollow); one per
byte-group Huffman mode (ZipNN's method; filled per tensor, hollow per dtype); one per
libdeflate and zstd level. Every implementation and codec has its own colour and marker
(Okabe-Ito colours, which stay distinct with the common colour-vision deficiencies), and each
level of a baseline its own marker, so that no point needs a text label: each panel has its own
legend. memcpy, the ceiling, is the dashed line. The decompression and compression panels of a
row share their ratio axis; a third panel zooms in on emzip and byte-group Huffman, whose points
are often a few hundredths of a point apart and hide each other at the scale of the baselines.
Lower ratio (left) is smaller output; higher is faster.
"""
import argparse
import json
import sys
import textwrap
from collections import OrderedDict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import ticker  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

# Okabe & Ito (2008), "Color Universal Design": orange, sky blue, bluish green, yellow, blue,
# vermillion, reddish purple, black.
OKABE_ITO = {"orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73", "yellow": "#F0E442",
             "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7", "black": "#000000"}
IMPL_STYLE = OrderedDict([("scalar", (OKABE_ITO["orange"], "o")), ("avx2", (OKABE_ITO["vermillion"], "s")),
                          ("avx512", (OKABE_ITO["purple"], "D")), ("neon", (OKABE_ITO["black"], "h"))])
# codec -> colour, {level: marker}
BASE_STYLE = OrderedDict([
    ("zstd", (OKABE_ITO["blue"], {"1": "^", "3": "v", "19": "*"})),
    ("libdeflate", (OKABE_ITO["sky"], {"1": "<", "6": ">", "12": "p"})),
])
BG_STYLE = (OKABE_ITO["green"], "X")
EMZIP_MODES = ("emzip", "emzip-stream")
BG_MODES = ("bytegroup-huf", "bytegroup-huf-stream")
DTYPE_ORDER = ["BF16", "F16", "F32", "F8_E4M3", "F8_E5M2", "FP4_E2M1"]
MARKER_SIZE = 7.5


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
    """(colour, marker, hollow, legend label) of a point."""
    codec, level, impl = p["codec"], p["level"], p["impl"]
    if codec in EMZIP_MODES:
        colour, marker = IMPL_STYLE.get(impl, (OKABE_ITO["yellow"], "8"))
        mode = "frame per tensor" if codec == "emzip" else "frame per dtype (stream)"
        return colour, marker, codec != "emzip", f"emzip {impl}, {mode}"
    if codec in BG_MODES:
        mode = "per tensor" if codec == "bytegroup-huf" else "per dtype (stream)"
        return BG_STYLE[0], BG_STYLE[1], codec != "bytegroup-huf", f"byte-group Huffman, {mode}"
    colour, markers = BASE_STYLE.get(codec, ("#999999", {}))
    return colour, markers.get(level, "d"), False, f"{codec} -{level}"


def sort_key(p):
    """Legend order: emzip per implementation, byte-group Huffman, zstd, libdeflate."""
    codec = p["codec"]
    if codec in EMZIP_MODES:
        impls = list(IMPL_STYLE)
        return (0, impls.index(p["impl"]) if p["impl"] in impls else 9, EMZIP_MODES.index(codec), 0)
    if codec in BG_MODES:
        return (1, 0, BG_MODES.index(codec), 0)
    codecs = list(BASE_STYLE)
    level = int(p["level"]) if p["level"].isdigit() else 0
    return (2, codecs.index(codec) if codec in codecs else 9, 0, level)


def draw_panel(ax, pts, which, title, xlim, zoom=False):
    memcpy = [] if zoom else [p for p in pts if p["codec"] == "memcpy"]
    pts = sorted((p for p in pts if p["codec"] != "memcpy"), key=sort_key)
    handles = []
    for p in pts:
        colour, marker, hollow, label = style(p)
        emzip = p["codec"] in EMZIP_MODES
        kw = dict(color=colour, marker=marker, linestyle="", markersize=MARKER_SIZE * (1.25 if marker == "*" else 1),
                  markeredgecolor=colour if hollow else "black", markeredgewidth=1.6 if hollow else 0.6,
                  markerfacecolor="white" if hollow else colour, label=label)
        # emzip on top: it is what the plot is about, and it often sits beside a baseline
        ax.plot([p["ratio"]], [p[which]], zorder=4 if emzip else 3, **kw)
        handles.append(Line2D([], [], **kw))
    ys = [p[which] for p in pts]
    top = max(ys) * (1.4 if zoom else 2)
    if memcpy:
        m = memcpy[0]["decomp"]
        line = ax.axhline(m, color="#777777", linestyle="--", linewidth=1, label=f"memcpy, {m:.0f} GB/s")
        handles.append(line)
        top = max(top, m * 1.6)
    ax.set_yscale("log")
    # GB/s as plain numbers (0.01, 0.1, 1, 10), not powers of ten; a zoom spans about a decade
    # or less, so it gets labelled ticks at 2, 3 and 5 too
    plain = ticker.FuncFormatter(lambda v, _: f"{v:g}")
    ax.yaxis.set_major_formatter(plain)
    if zoom:
        ax.yaxis.set_minor_locator(ticker.LogLocator(subs=(2.0, 3.0, 5.0)))
        ax.yaxis.set_minor_formatter(plain)
    ax.set_xlim(*xlim)
    ax.set_ylim(min(ys) / (1.4 if zoom else 1.8), top)
    ax.set_xlabel("compressed size, % of original (lower is better)", fontsize=8)
    ax.set_ylabel(("decompression" if which == "decomp" else "compression") + " GB/s, log scale", fontsize=8)
    ax.set_title(title, fontsize=9)
    ax.tick_params(which="both", labelsize=7)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=6.5, frameon=False,
              borderaxespad=0, handletextpad=0.3, labelspacing=0.35)


def row_xlim(pts, min_pad=1.0):
    """One ratio range for both panels of a row, so that a point sits at the same x in both."""
    xs = [p["ratio"] for p in pts if p["codec"] != "memcpy"]
    lo, hi = min(xs), max(xs)
    pad = max(min_pad, 0.08 * (hi - lo))
    return lo - pad, hi + pad


def groups_of(files, args):
    if args.file or (not args.corpus and len(files) == 1):
        f = pick_file(files, args.file) if args.file else files[0]
        return [(f"{f['name']} ({f['file_size'] / 1e6:.2f} MB, main dtype {f.get('dominant_dtype', '?')})", [f])]
    by = OrderedDict()
    for f in files:
        by.setdefault(f.get("dominant_dtype", "?"), []).append(f)
    order = [d for d in DTYPE_ORDER if d in by] + [d for d in by if d not in DTYPE_ORDER]
    groups = []
    for dtype in order:
        fs = by[dtype]
        mb = sum(f["file_size"] for f in fs) / 1e6
        name = "FP4 (MXFP4)" if dtype == "FP4_E2M1" else dtype
        groups.append((f"{name}: {len(fs)} file{'s' if len(fs) > 1 else ''}, {mb:.1f} MB", fs))
    return groups


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("json", help="output of emzip-bench --json (or --json-file)")
    ap.add_argument("--file", help="plot this one file of the results")
    ap.add_argument("--corpus", action="store_true", help="plot every file, grouped by dominant dtype")
    ap.add_argument("--title", help="first lines of the figure title (e.g. the commit and machine)")
    ap.add_argument("-o", "--output", default="emzip-bench.png", help="PNG to write")
    args = ap.parse_args()

    with open(args.json) as fh:
        data = json.load(fh)
    files = [f for f in data["files"] if f.get("results")]
    if not files:
        sys.exit("plot.py: no results in " + args.json)
    if args.file and args.corpus:
        sys.exit("plot.py: --file and --corpus exclude each other")
    groups = groups_of(files, args)

    fig, axes = plt.subplots(len(groups), 3, figsize=(22, 3.9 * len(groups) + 1.0), dpi=100, squeeze=False,
                             layout="constrained")
    for row, (title, fs) in enumerate(groups):
        pts = aggregate(fs)
        xlim = row_xlim(pts)
        draw_panel(axes[row][0], pts, "decomp", title + " - decompression", xlim)
        draw_panel(axes[row][1], pts, "comp", title + " - compression", xlim)
        near = [p for p in pts if p["codec"] in EMZIP_MODES + BG_MODES]
        draw_panel(axes[row][2], near, "decomp", title + " - decompression, zoom on emzip and byte-group Huffman",
                   row_xlim(near, 0.1), zoom=True)
    impls = ", ".join(data.get("impls", []))
    # a long commit subject wraps instead of running off the figure
    head = "".join(textwrap.fill(line, 150) + "\n" for line in args.title.splitlines()) if args.title else ""
    chunk = data.get("chunk_size", "?")
    chunk = "default chunks per type" if chunk == 0 else f"chunk {chunk} B"
    fig.suptitle(f"{head}emzip-bench: emzip {data.get('emzip_version', '?')}, {chunk}, "
                 f"implementations {impls or '?'}; single thread, medians of up to {data.get('reps', '?')} runs",
                 fontsize=10)
    fig.savefig(args.output)
    print(f"wrote {args.output} ({len(groups)} panel rows)")


if __name__ == "__main__":
    main()
