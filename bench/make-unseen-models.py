#!/usr/bin/env python3
"""make-unseen-models.py OUTDIR [STEPS]: checkpoints of models that are not in the corpus, to
check that emzip's ratio holds on weights it was not tuned on (issue 12: "the same holds on
models you have not seen").

Trains here, with torch on the CPU, a small byte-level transformer language model (4 layers,
width 192, feed-forward 768, about 1.9 M parameters) on the repository's own documentation
(docs/, README.md, bench/README.md) for STEPS steps (default 150, AdamW, weight decay 0.1), and
keeps its untrained initialisation beside it. Each is written as the corpus writes its files:
FP32 as trained; BF16 and FP16 by round-to-nearest-even casts; FP8 E4M3FN and E5M2 with one
FP32 scale per tensor (amax / largest finite value, nearest even, saturating); MXFP4 blocks and
E8M0 scales (32 values a block). Deterministic for a given torch build (seeded).

    /usr/bin/python3 bench/make-unseen-models.py /tmp/unseen
    bench/compare-builds.sh ratios OLD_BUILD build /tmp/unseen-ratios /tmp/unseen/*.safetensors
"""
import glob
import json
import os
import struct
import sys

import numpy as np
import torch

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def write_safetensors(path, items):
    header, off, blobs = {}, 0, []
    for name, dtype, shape, raw in items:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [off, off + len(raw)]}
        off += len(raw)
        blobs.append(raw)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def fp8_values(ebits, mbits, bias, fn):
    """The finite non-negative values of an FP8 format by 7-bit code (NaN where none)."""
    vals = []
    for code in range(128):
        e, m = code >> mbits, code & ((1 << mbits) - 1)
        if (fn and code == 127) or (not fn and e == (1 << ebits) - 1):
            vals.append(np.nan)
            continue
        frac = m / (1 << mbits)
        vals.append(frac * 2.0 ** (1 - bias) if e == 0 else (1 + frac) * 2.0 ** (e - bias))
    return np.array(vals)


def nearest_code(x, table):
    """|x| rounded to the nearest finite table entry (ties to the even code), saturating; the
    sign in bit 7."""
    codes = np.where(~np.isnan(table))[0]
    vals = table[codes]
    a = np.minimum(np.abs(x), vals[-1])
    i = np.clip(np.searchsorted(vals, a), 1, len(vals) - 1)
    lo, hi = vals[i - 1], vals[i]
    up = (a - lo > hi - a) | ((a - lo == hi - a) & (codes[i] % 2 == 0))
    c = np.where(up, codes[i], codes[i - 1]).astype(np.uint8)
    return c | (np.signbit(x).astype(np.uint8) << 7)


E4M3 = fp8_values(4, 3, 7, True)
E5M2 = fp8_values(5, 2, 15, False)
E2M1 = np.array([0, 0.5, 1, 1.5, 2, 3, 4, 6])


def to_fp8(x, table):
    amax = float(np.max(np.abs(x))) or 1.0
    scale = np.float32(amax / np.nanmax(table))
    return nearest_code(x / scale, table), scale


def to_mxfp4(x):
    x = x.ravel()
    x = np.concatenate([x, np.zeros((-len(x)) % 32, np.float32)]).reshape(-1, 32)
    amax = np.max(np.abs(x), axis=1)
    e = np.where(amax > 0, np.floor(np.log2(np.where(amax > 0, amax, 1))) - 2, -127)
    e = np.clip(e, -127, 127)
    q = nearest_code((x / (2.0 ** e)[:, None]).ravel(), E2M1)
    q = (q & 0x7) | ((q >> 4) & 0x8)  # the sign into bit 3 of the nibble
    return (q[0::2] | (q[1::2] << 4)).astype(np.uint8).reshape(-1, 16), (e + 127).astype(np.uint8)


class ByteLM(torch.nn.Module):
    def __init__(self, width=192, layers=4, ff=768, heads=6, context=128):
        super().__init__()
        self.embed = torch.nn.Embedding(256, width)
        self.pos = torch.nn.Parameter(torch.randn(context, width) * 0.02)
        layer = torch.nn.TransformerEncoderLayer(width, heads, ff, dropout=0.0, batch_first=True,
                                                 norm_first=True)
        self.body = torch.nn.TransformerEncoder(layer, layers)
        self.norm = torch.nn.LayerNorm(width)
        self.head = torch.nn.Linear(width, 256, bias=False)
        self.register_buffer("mask", torch.triu(torch.full((context, context), float("-inf")), 1))

    def forward(self, x):
        n = x.shape[1]
        h = self.embed(x) + self.pos[:n]
        return self.head(self.norm(self.body(h, mask=self.mask[:n, :n])))


def training_text():
    names = sorted(glob.glob(os.path.join(ROOT, "docs", "*.md")))
    names += [os.path.join(ROOT, "README.md"), os.path.join(ROOT, "bench", "README.md")]
    return np.frombuffer(b"".join(open(n, "rb").read() for n in names if os.path.exists(n)),
                         np.uint8)


def train(model, steps, context=128, batch=16):
    data = torch.from_numpy(training_text().astype(np.int64))
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.1)
    gen = torch.Generator().manual_seed(1)
    for step in range(steps):
        at = torch.randint(0, len(data) - context - 1, (batch,), generator=gen)
        x = torch.stack([data[i:i + context] for i in at])
        y = torch.stack([data[i + 1:i + context + 1] for i in at])
        loss = torch.nn.functional.cross_entropy(model(x).reshape(-1, 256), y.reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 100 == 0 or step == steps - 1:
            print(f"  step {step}: loss {loss.item():.3f}", flush=True)


def write_all(out, tag, model):
    ts = [(n, list(p.shape), p.detach().float().contiguous()) for n, p in model.state_dict().items()
          if p.dtype.is_floating_point and p.numel() >= 64 and n != "mask"]
    write_safetensors(f"{out}/{tag}.f32.safetensors",
                      [(n, "F32", s, t.numpy().tobytes()) for n, s, t in ts])
    for dtype, name in ((torch.bfloat16, "BF16"), (torch.float16, "F16")):
        write_safetensors(f"{out}/{tag}.{name.lower()}.safetensors",
                          [(n, name, s, t.to(dtype).view(torch.int16).numpy().tobytes())
                           for n, s, t in ts])
    for fmt, table in (("F8_E4M3", E4M3), ("F8_E5M2", E5M2)):
        items = []
        for n, s, t in ts:
            q, scale = to_fp8(t.numpy(), table)
            items += [(n, fmt, s, q.tobytes()), (n + ".scale", "F32", [], scale.tobytes())]
        write_safetensors(f"{out}/{tag}.{fmt[3:].lower()}.safetensors", items)
    items = []
    for n, s, t in ts:
        blocks, scales = to_mxfp4(t.numpy())
        items += [(n + ".blocks", "U8", list(blocks.shape), blocks.tobytes()),
                  (n + ".scales", "U8", [len(scales)], scales.tobytes())]
    write_safetensors(f"{out}/{tag}.mxfp4.safetensors", items)
    print(f"{tag}: {len(ts)} tensors, {sum(t.numel() for _, _, t in ts)} parameters")


def main():
    out = sys.argv[1]
    steps = int(sys.argv[2]) if len(sys.argv) > 2 else 150
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    torch.set_num_threads(max(1, (os.cpu_count() or 1)))
    model = ByteLM()
    write_all(out, "bytelm_init", model)
    train(model, steps)
    write_all(out, "bytelm", model)


main()
