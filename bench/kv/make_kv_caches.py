#!/usr/bin/env python3
"""make_kv_caches.py OUTDIR [--minutes M] [--tiny]: real K/V caches to design and benchmark
emzip's K/V-cache codec on (issue 14). No production LLM is reachable from these machines, so this
trains one: a small Llama-style decoder (RMSNorm, rotate-half RoPE, SwiGLU, grouped-query causal
attention, untied embeddings, no biases) on English/technical text that every Debian 12 machine
with this project's packages has: the docstrings of Python's standard library and of numpy
(python3-numpy), and the licence texts in /usr/share/common-licenses. One thread, fixed seeds,
a fixed time budget.

Tokens are a byte-pair vocabulary trained here (a 256-byte vocabulary makes layer 0's V rows a
function of 256 values, which repeat exactly and flatter any codec that finds matches). Every
tenth document is held out; the bits per byte reached on it are printed and recorded.

The trained model is then run over held-out documents (one prompt each, as long as the training
context: 512 tokens) and the post-RoPE K and the V of every layer are written in vLLM's paged
layout, one tensor per layer `layerL.kv` of shape (2, num_blocks, 16, num_kv_heads, head_dim),
[0] = K, [1] = V, as

    OUTDIR/bf16/prompt_NN.safetensors   BF16      (round to nearest even)
    OUTDIR/fp16/prompt_NN.safetensors   F16       (round to nearest even)
    OUTDIR/e4m3/prompt_NN.safetensors   F8_E4M3   (stored = e4m3(x / scale), scale = amax / 448)
    OUTDIR/e5m2/prompt_NN.safetensors   F8_E5M2   (scale = amax / 57344)
    OUTDIR/model.json                   geometry, training, held-out bits/byte, prompt split

FP8 scales are per layer and per K/V, computed on the prompt itself (what vLLM's dynamic
`calculate_kv_scales` does on the first forward pass) and kept in `__metadata__`.

    /usr/bin/python3 bench/kv/make_kv_caches.py /work/kvdata          # ~9 minutes
    /usr/bin/python3 bench/kv/make_kv_caches.py /tmp/kvtiny --tiny    # ~30 seconds, for CI
"""
import argparse
import ast
import collections
import glob
import json
import math
import os
import re
import sys
import sysconfig
import time

# One thread: the other core runs other work, and OpenBLAS would otherwise start its own pool.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kvformat  # noqa: E402

BLOCK = 16  # vLLM's default block size


# ---------------------------------------------------------------- text

def docstring_documents(root, skip):
    """One document per source file: its docstrings, in file order. Sorted paths, so that the
    corpus is the same on every machine with the same package versions."""
    docs = []
    for path in sorted(glob.glob(os.path.join(root, "**", "*.py"), recursive=True)):
        rel = os.path.relpath(path, root)
        if any(part in skip for part in rel.split(os.sep)):
            continue
        try:
            tree = ast.parse(open(path, encoding="utf-8").read())
        except (SyntaxError, UnicodeDecodeError, ValueError):
            continue
        parts = [ast.get_docstring(n) for n in ast.walk(tree)
                 if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef,
                                   ast.AsyncFunctionDef))]
        text = "\n\n".join(p for p in parts if p)
        if text:
            docs.append((path, text.encode("utf-8")))
    return docs


def corpus():
    """[(name, bytes)] in a fixed order."""
    stdlib = sysconfig.get_paths()["stdlib"]
    docs = docstring_documents(stdlib, {"test", "tests", "site-packages", "dist-packages",
                                        "idlelib", "lib2to3"})
    import numpy  # the copy Debian's python3-numpy installs
    docs += docstring_documents(os.path.dirname(numpy.__file__), {"tests", "testing"})
    seen = set()
    for path in sorted(glob.glob("/usr/share/common-licenses/*")):
        real = os.path.realpath(path)  # GPL -> GPL-3 and the like: each text once
        if real not in seen and os.path.isfile(real):
            seen.add(real)
            docs.append((path, open(real, "rb").read()))
    return docs


# ---------------------------------------------------------------- byte-pair vocabulary

# GPT-2-like pre-split: words with their leading space, numbers, punctuation runs, whitespace.
# Merges never cross these pieces, which keeps training to the distinct pieces.
PIECE = re.compile(rb" ?[A-Za-z]+| ?[0-9]{1,3}| ?[^\sA-Za-z0-9]+|\s+(?!\S)|\s+")


def train_bpe(texts, vocab_size):
    """Merges [(a, b)] learnt on the pieces of `texts`, most frequent pair first (ties broken by
    the pair's ids, so it is deterministic). Pair counts are updated incrementally, only for the
    pieces that contain the merged pair."""
    counts = collections.Counter()
    for t in texts:
        counts.update(PIECE.findall(t))
    words = [list(w) for w in counts]
    freq = list(counts.values())
    pairs = collections.Counter()
    where = collections.defaultdict(set)
    for i, w in enumerate(words):
        for a, b in zip(w, w[1:]):
            pairs[a, b] += freq[i]
            where[a, b].add(i)
    merges = []
    for new in range(256, vocab_size):
        if not pairs:
            break
        best = max(pairs.items(), key=lambda kv: (kv[1], -kv[0][0], -kv[0][1]))[0]
        merges.append(best)
        for i in where.pop(best):
            w, f = words[i], freq[i]
            for a, b in zip(w, w[1:]):
                pairs[a, b] -= f
                if pairs[a, b] <= 0:
                    del pairs[a, b]
            out, j = [], 0
            while j < len(w):
                if j + 1 < len(w) and (w[j], w[j + 1]) == best:
                    out.append(new)
                    j += 2
                else:
                    out.append(w[j])
                    j += 1
            words[i] = out
            for a, b in zip(out, out[1:]):
                pairs[a, b] += f
                where[a, b].add(i)
        pairs.pop(best, None)
    return merges


class Tokenizer:
    def __init__(self, merges):
        self.rank = {p: r for r, p in enumerate(merges)}
        self.nbytes = [1] * 256
        for a, b in merges:
            self.nbytes.append(self.nbytes[a] + self.nbytes[b])
        self.cache = {}

    def piece(self, p):
        """Lowest-ranked pair first, as the merges were learnt."""
        w = self.cache.get(p)
        if w is None:
            w = list(p)
            while len(w) > 1:
                r, j = min((self.rank.get((w[k], w[k + 1]), 1 << 30), k)
                           for k in range(len(w) - 1))
                if r == 1 << 30:
                    break
                w[j:j + 2] = [256 + r]
            self.cache[p] = w
        return w

    def encode(self, text):
        out = []
        for p in PIECE.findall(text):
            out += self.piece(p)
        return out


# ---------------------------------------------------------------- model

class RMSNorm(torch.nn.Module):
    def __init__(self, dim, eps=1e-5):
        super().__init__()
        self.eps = eps
        self.weight = torch.nn.Parameter(torch.ones(dim))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rope_tables(context, head_dim, theta):
    inv = 1.0 / theta ** (torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim)
    ang = torch.outer(torch.arange(context, dtype=torch.float32), inv)
    ang = torch.cat([ang, ang], dim=-1)  # HF Llama: frequency i on channels i and i + head_dim/2
    return ang.cos(), ang.sin()


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat([-x[..., h:], x[..., :h]], dim=-1)


class Block(torch.nn.Module):
    def __init__(self, g):
        super().__init__()
        d, hd = g["d_model"], g["head_dim"]
        self.nq, self.nkv, self.hd = g["num_query_heads"], g["num_kv_heads"], hd
        self.attn_norm = RMSNorm(d)
        self.wq = torch.nn.Linear(d, self.nq * hd, bias=False)
        self.wk = torch.nn.Linear(d, self.nkv * hd, bias=False)
        self.wv = torch.nn.Linear(d, self.nkv * hd, bias=False)
        self.wo = torch.nn.Linear(self.nq * hd, d, bias=False)
        self.mlp_norm = RMSNorm(d)
        self.w_gate = torch.nn.Linear(d, g["ffn_dim"], bias=False)
        self.w_up = torch.nn.Linear(d, g["ffn_dim"], bias=False)
        self.w_down = torch.nn.Linear(g["ffn_dim"], d, bias=False)
        self.kv = None  # set by forward when capturing: (k after RoPE, v), (T, nkv, hd)

    def forward(self, x, cos, sin, mask, capture=False):
        b, t, _ = x.shape
        h = self.attn_norm(x)
        q = self.wq(h).view(b, t, self.nq, self.hd).transpose(1, 2)
        k = self.wk(h).view(b, t, self.nkv, self.hd).transpose(1, 2)
        v = self.wv(h).view(b, t, self.nkv, self.hd).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        if capture:
            self.kv = (k[0].transpose(0, 1).contiguous(), v[0].transpose(0, 1).contiguous())
        rep = self.nq // self.nkv  # grouped-query: each K/V head serves `rep` query heads
        k = k.repeat_interleave(rep, dim=1)
        v = v.repeat_interleave(rep, dim=1)
        att = (q @ k.transpose(-1, -2)) * (1.0 / math.sqrt(self.hd)) + mask
        o = att.softmax(-1) @ v
        x = x + self.wo(o.transpose(1, 2).reshape(b, t, self.nq * self.hd))
        h = self.mlp_norm(x)
        return x + self.w_down(torch.nn.functional.silu(self.w_gate(h)) * self.w_up(h))


class Llama(torch.nn.Module):
    def __init__(self, g):
        super().__init__()
        self.g = g
        self.embed = torch.nn.Embedding(g["vocab_size"], g["d_model"])
        self.blocks = torch.nn.ModuleList(Block(g) for _ in range(g["num_layers"]))
        self.norm = RMSNorm(g["d_model"])
        self.head = torch.nn.Linear(g["d_model"], g["vocab_size"], bias=False)
        cos, sin = rope_tables(g["context"], g["head_dim"], g["rope_theta"])
        self.register_buffer("cos", cos, persistent=False)
        self.register_buffer("sin", sin, persistent=False)
        mask = torch.triu(torch.full((g["context"], g["context"]), float("-inf")), 1)
        self.register_buffer("mask", mask, persistent=False)
        for name, p in self.named_parameters():  # GPT-2 style: residual outputs scaled down
            if p.dim() == 2:
                std = 0.02 / math.sqrt(2 * g["num_layers"]) if name.endswith(
                    ("wo.weight", "w_down.weight")) else 0.02
                torch.nn.init.normal_(p, 0.0, std)

    def forward(self, x, capture=False):
        t = x.shape[1]
        h = self.embed(x)
        cos, sin, mask = self.cos[:t], self.sin[:t], self.mask[:t, :t]
        for blk in self.blocks:
            h = blk(h, cos, sin, mask, capture)
        return self.head(self.norm(h))


# ---------------------------------------------------------------- training

def lr_at(progress, peak, warmup=0.03, floor=0.1):
    """Linear warm-up, then cosine decay to floor * peak, over the fraction of the budget used."""
    if progress < warmup:
        return peak * progress / warmup
    p = min(1.0, (progress - warmup) / (1 - warmup))
    return peak * (floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * p)))


def train_step(model, opt, data, g, batch, gen):
    """One optimizer step on `batch` random windows of data (bench/delta uses it too); returns
    the loss."""
    ctx = g["context"]
    at = torch.randint(0, len(data) - ctx - 1, (batch,), generator=gen)
    x = torch.stack([data[i:i + ctx] for i in at])
    y = torch.stack([data[i + 1:i + ctx + 1] for i in at])
    loss = torch.nn.functional.cross_entropy(model(x).reshape(-1, g["vocab_size"]), y.reshape(-1))
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    return loss.item()


def train(model, data, g, budget_s, batch, peak_lr, log_every_s):
    opt = torch.optim.AdamW(model.parameters(), lr=peak_lr, betas=(0.9, 0.95), weight_decay=0.1)
    gen = torch.Generator().manual_seed(1)
    start = time.time()
    step, last_log, loss_avg = 0, start, None
    while True:
        elapsed = time.time() - start
        if elapsed >= budget_s:
            break
        for grp in opt.param_groups:
            grp["lr"] = lr_at(elapsed / budget_s, peak_lr)
        loss = train_step(model, opt, data, g, batch, gen)
        step += 1
        loss_avg = loss if loss_avg is None else 0.9 * loss_avg + 0.1 * loss
        if time.time() - last_log >= log_every_s:
            last_log = time.time()
            print(f"  {last_log - start:6.0f} s  step {step:5d}  loss {loss_avg:.3f}", flush=True)
    return step, time.time() - start


@torch.no_grad()
def held_out_bits_per_byte(model, tokens, nbytes, ctx, max_windows):
    """Cross-entropy (bits) over the held-out token stream in non-overlapping windows of ctx
    tokens, divided by the bytes those predicted tokens stand for."""
    n = (len(tokens) - 1) // ctx
    starts = np.linspace(0, n - 1, min(n, max_windows)).astype(int) * ctx
    bits = byts = 0.0
    for s in starts:
        x = tokens[s:s + ctx].unsqueeze(0)
        y = tokens[s + 1:s + ctx + 1]
        bits += torch.nn.functional.cross_entropy(model(x)[0], y, reduction="sum").item()
        byts += float(nbytes[y].sum())
    return bits / math.log(2) / byts, len(starts) * ctx


# ---------------------------------------------------------------- dump

def dump_prompt(model, tokens, g, outdir, index, split, source):
    """Runs one prompt and writes its cache in the four dtypes."""
    nb = len(tokens) // BLOCK
    model(torch.tensor(tokens[:nb * BLOCK]).unsqueeze(0), capture=True)
    L = g["num_layers"]
    # (layers, 2, num_blocks, 16, num_kv_heads, head_dim), float32
    kv = np.stack([np.stack([t.numpy() for t in blk.kv]) for blk in model.blocks])
    kv = kv.reshape(L, 2, nb, BLOCK, g["num_kv_heads"], g["head_dim"])
    shape = kv.shape[1:]
    meta = {"format": "vllm_paged_kv", "layout": "(2, num_blocks, block_size, num_kv_heads, "
            "head_dim), [0]=K after RoPE, [1]=V", "num_layers": L, "num_blocks": nb,
            "block_size": BLOCK, "num_kv_heads": g["num_kv_heads"], "head_dim": g["head_dim"],
            "num_query_heads": g["num_query_heads"], "d_model": g["d_model"],
            "rope_theta": g["rope_theta"], "vocab_size": g["vocab_size"],
            "prompt_index": index, "split": split, "source": source, "tokens": nb * BLOCK}
    name = f"prompt_{index:02d}.safetensors"
    for sub, dtype, enc in (("bf16", "BF16", kvformat.encode_bf16),
                            ("fp16", "F16", kvformat.encode_fp16)):
        items = [(f"layer{i}.kv", dtype, shape, enc(kv[i])) for i in range(L)]
        kvformat.write_safetensors(os.path.join(outdir, sub, name), items,
                                   dict(meta, dtype=dtype))
    for sub, dtype, enc, top in (("e4m3", "F8_E4M3", kvformat.encode_e4m3, kvformat.E4M3_MAX),
                                 ("e5m2", "F8_E5M2", kvformat.encode_e5m2, kvformat.E5M2_MAX)):
        items, scales = [], {}
        for i in range(L):
            codes = []
            for j, kind in enumerate(("k", "v")):
                amax = float(np.abs(kv[i, j]).max())
                scale = np.float32(amax / top if amax > 0 else 1.0)
                scales[f"layer{i}.{kind}_scale"] = repr(float(scale))
                codes.append(enc(kv[i, j] / scale))
            items.append((f"layer{i}.kv", dtype, shape, np.stack(codes)))
        kvformat.write_safetensors(os.path.join(outdir, sub, name), items,
                                   dict(meta, dtype=dtype, **scales))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--minutes", type=float, default=None, help="training budget (default 8)")
    ap.add_argument("--tiny", action="store_true", help="tiny model, ~20 s of training, for CI")
    ap.add_argument("--prompts", type=int, default=None, help="prompts to dump (default 16)")
    ap.add_argument("--batch", type=int, default=None, help="sequences per step")
    ap.add_argument("--lr", type=float, default=None, help="peak learning rate")
    args = ap.parse_args()
    t0 = time.time()
    torch.set_num_threads(1)
    torch.manual_seed(0)

    if args.tiny:  # a page geometry kept (8 kv heads x 128) at a tenth of the work per token
        g = dict(d_model=128, num_layers=2, num_query_heads=16, num_kv_heads=8, head_dim=128,
                 ffn_dim=384, vocab_size=512, context=128, rope_theta=10000.0)
        minutes, batch, prompts, peak_lr = 0.35, 8, 4, 3e-3
    else:
        g = dict(d_model=256, num_layers=4, num_query_heads=16, num_kv_heads=8, head_dim=128,
                 ffn_dim=768, vocab_size=2048, context=512, rope_theta=10000.0)
        minutes, batch, prompts, peak_lr = 8.0, 2, 16, 3e-3
    minutes = args.minutes if args.minutes is not None else minutes
    prompts = args.prompts if args.prompts is not None else prompts
    batch = args.batch or batch
    peak_lr = args.lr or peak_lr

    docs = corpus()
    if args.tiny:
        docs = docs[::8]  # fewer pieces for the BPE; the text stays real
    held = [d for i, d in enumerate(docs) if i % 10 == 9]
    train_docs = [d for i, d in enumerate(docs) if i % 10 != 9]
    train_bytes = sum(len(t) for _, t in train_docs)
    print(f"text: {len(docs)} documents, {train_bytes} bytes to train on, "
          f"{sum(len(t) for _, t in held)} held out", flush=True)

    t = time.time()
    merges = train_bpe([t_ for _, t_ in train_docs], g["vocab_size"])
    g["vocab_size"] = 256 + len(merges)
    tok = Tokenizer(merges)
    sep = tok.encode(b"\n\n")
    train_tokens = []
    for _, text in train_docs:
        train_tokens += tok.encode(text) + sep
    held_tokens = [tok.encode(text) for _, text in held]
    bpe_s = time.time() - t
    print(f"byte pairs: vocabulary {g['vocab_size']} in {bpe_s:.1f} s; "
          f"{len(train_tokens)} training tokens, "
          f"{train_bytes / len(train_tokens):.2f} bytes per token", flush=True)

    # What a model that learnt nothing but token frequencies would reach, to judge the training.
    freq = np.bincount(train_tokens, minlength=g["vocab_size"]) + 1.0
    held_flat = np.concatenate([np.array(h + sep) for h in held_tokens])
    unigram_bpb = float(-np.log2(freq / freq.sum())[held_flat].sum()
                        / np.array(tok.nbytes)[held_flat].sum())
    print(f"unigram baseline on held-out text: {unigram_bpb:.3f} bits per byte", flush=True)

    model = Llama(g)
    params = sum(p.numel() for p in model.parameters())
    print(f"model: {params} parameters, {g}", flush=True)
    data = torch.tensor(train_tokens)
    steps, train_s = train(model, data, g, minutes * 60, batch, peak_lr,
                           log_every_s=5 if args.tiny else 30)
    model.eval()

    stream = []
    for h in held_tokens:
        stream += h + sep
    nbytes = torch.tensor(tok.nbytes, dtype=torch.float64)
    bpb, eval_tokens = held_out_bits_per_byte(model, torch.tensor(stream), nbytes,
                                              g["context"], 16 if args.tiny else 64)
    print(f"trained {steps} steps ({steps * batch * g['context']} tokens) in {train_s:.0f} s; "
          f"held-out {bpb:.3f} bits per byte over {eval_tokens} tokens", flush=True)

    # One prompt per held-out document long enough, evenly spread over them; even picks train
    # the tables, odd picks test them, so both halves span all sources.
    long_docs = [i for i, h in enumerate(held_tokens) if len(h) >= g["context"]]
    picks = [long_docs[int(j)] for j in np.linspace(0, len(long_docs) - 1, prompts)]
    order = picks[0::2] + picks[1::2]
    n_train = len(picks[0::2])
    for sub in ("bf16", "fp16", "e4m3", "e5m2"):
        os.makedirs(os.path.join(args.outdir, sub), exist_ok=True)
    listing = []
    with torch.no_grad():
        for index, d in enumerate(order):
            split = "train" if index < n_train else "test"
            source = held[d][0]
            dump_prompt(model, held_tokens[d][:g["context"]], g, args.outdir, index, split,
                        source)
            listing.append({"file": f"prompt_{index:02d}.safetensors", "split": split,
                            "source": source, "tokens": g["context"] // BLOCK * BLOCK})
    info = {"geometry": g, "parameters": params, "block_size": BLOCK, "tiny": args.tiny,
            "text": {"documents": len(docs), "train_bytes": train_bytes,
                     "held_out_bytes": sum(len(t) for _, t in held),
                     "train_tokens": len(train_tokens),
                     "bytes_per_token": train_bytes / len(train_tokens),
                     "bpe_seconds": round(bpe_s, 1)},
            "training": {"seconds": round(train_s, 1), "budget_minutes": minutes,
                         "steps": steps, "batch": batch, "tokens_seen": steps * batch *
                         g["context"], "peak_lr": peak_lr, "threads": 1,
                         "torch": torch.__version__},
            "held_out_bits_per_byte": round(bpb, 4), "unigram_bits_per_byte": round(unigram_bpb, 4),
            "held_out_eval_tokens": eval_tokens,
            "fp8_scale": "per layer and K/V, amax of the prompt / 448 (E4M3) or / 57344 (E5M2)",
            "prompts": listing,
            "train_prompts": [p["file"] for p in listing if p["split"] == "train"],
            "test_prompts": [p["file"] for p in listing if p["split"] == "test"],
            "total_seconds": round(time.time() - t0, 1)}
    with open(os.path.join(args.outdir, "model.json"), "w") as f:
        json.dump(info, f, indent=1)
    print(f"wrote {len(order)} prompts x 4 dtypes to {args.outdir} "
          f"in {time.time() - t0:.0f} s total", flush=True)


if __name__ == "__main__":  # bench/delta/make_checkpoints.py imports the model and text
    main()
