#!/usr/bin/env python3
"""make_checkpoints.py OUTDIR [--minutes M] [--tiny]: checkpoint families to design and benchmark
checkpoint deltas on (issue 17). No model hub is reachable from these machines, so this trains
bench/kv's small Llama-style decoder (make_kv_caches.py: same text, vocabulary and model) and
saves, as safetensors in FP32 (the training weights) and BF16 (round to nearest even):

    OUTDIR/step_a.{f32,bf16}.safetensors   after 75 % of the training budget
    OUTDIR/step_b.{f32,bf16}.safetensors   after all of it: the next checkpoint of the same run
    OUTDIR/finetune.{f32,bf16}.safetensors step_b fine-tuned on other text (the licence texts
                                           alone, at a tenth of the learning rate, for a fifth of
                                           the budget): a fine-tune of a base model
    OUTDIR/checkpoints.json                steps, times, held-out bits per byte of each

One thread, fixed seeds, AdamW state kept across the two checkpoints of a run (as a training
run's checkpoints are), a new optimizer for the fine-tune (as a fine-tuning job starts).

    /usr/bin/python3 bench/delta/make_checkpoints.py /work/deltadata            # ~4 minutes
    /usr/bin/python3 bench/delta/make_checkpoints.py /tmp/deltatiny --tiny      # ~30 seconds
"""
import argparse
import json
import os
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "kv"))
import kvformat  # noqa: E402
import make_kv_caches as mk  # noqa: E402


def run(model, opt, data, g, budget_s, batch, peak_lr, seed, save_at=None, save=None):
    """Trains for budget_s on data with mk.lr_at's schedule; calls save() once when save_at of
    the budget has gone (if given). Returns the steps taken."""
    gen = torch.Generator().manual_seed(seed)
    start, step, saved = time.time(), 0, False
    while True:
        progress = (time.time() - start) / budget_s
        if save_at is not None and not saved and progress >= save_at:
            save(step)
            saved = True
        if progress >= 1:
            return step
        for grp in opt.param_groups:
            grp["lr"] = mk.lr_at(progress, peak_lr)
        mk.train_step(model, opt, data, g, batch, gen)
        step += 1


def save_model(model, path_stem, metadata):
    """FP32 and BF16 safetensors of every parameter, in the module's order."""
    f32, bf16 = [], []
    for name, p in model.state_dict().items():
        a = p.detach().float().contiguous().numpy()
        f32.append((name, "F32", a.shape, a))
        bf16.append((name, "BF16", a.shape, kvformat.encode_bf16(a)))
    kvformat.write_safetensors(path_stem + ".f32.safetensors", f32, metadata)
    kvformat.write_safetensors(path_stem + ".bf16.safetensors", bf16, metadata)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--minutes", type=float, default=None, help="training budget (default 3)")
    ap.add_argument("--tiny", action="store_true", help="tiny model and budget, for CI")
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    t0 = time.time()
    if args.tiny:
        g = dict(d_model=128, num_layers=2, num_query_heads=16, num_kv_heads=8, head_dim=128,
                 ffn_dim=384, vocab_size=512, context=128, rope_theta=10000.0)
        minutes, batch, peak_lr = 0.3, 8, 3e-3
    else:
        g = dict(d_model=256, num_layers=4, num_query_heads=16, num_kv_heads=8, head_dim=128,
                 ffn_dim=768, vocab_size=2048, context=512, rope_theta=10000.0)
        minutes, batch, peak_lr = 3.0, 2, 3e-3
    minutes = args.minutes if args.minutes is not None else minutes
    os.makedirs(args.outdir, exist_ok=True)

    docs = mk.corpus()
    if args.tiny:
        docs = docs[::8]
    held = [d for i, d in enumerate(docs) if i % 10 == 9]
    train_docs = [d for i, d in enumerate(docs) if i % 10 != 9]
    merges = mk.train_bpe([t for _, t in train_docs], g["vocab_size"])
    g["vocab_size"] = 256 + len(merges)
    tok = mk.Tokenizer(merges)
    sep = tok.encode(b"\n\n")

    def tokens_of(ds):
        out = []
        for _, text in ds:
            out += tok.encode(text) + sep
        return torch.tensor(out)

    data = tokens_of(train_docs)
    # the fine-tune's text: the licence texts alone (another register than the docstrings)
    licences = tokens_of([d for d in docs if d[0].startswith("/usr/share/common-licenses")])
    held_stream = tokens_of(held)
    nbytes = torch.tensor(tok.nbytes, dtype=torch.float64)

    def bpb(model):
        model.eval()
        with torch.no_grad():
            v, _ = mk.held_out_bits_per_byte(model, held_stream, nbytes, g["context"],
                                             8 if args.tiny else 32)
        model.train()
        return round(v, 4)

    model = mk.Llama(g)
    opt = torch.optim.AdamW(model.parameters(), lr=peak_lr, betas=(0.9, 0.95), weight_decay=0.1)
    info = {"geometry": g, "parameters": sum(p.numel() for p in model.parameters()),
            "minutes": minutes, "batch": batch, "torch": torch.__version__, "threads": 1}

    def save_a(step):
        info["step_a"] = {"step": step, "seconds": round(time.time() - t0, 1),
                          "held_out_bits_per_byte": bpb(model)}
        save_model(model, os.path.join(args.outdir, "step_a"), {"step": step})
        print(f"step_a: step {step}, {info['step_a']}", flush=True)

    steps = run(model, opt, data, g, minutes * 60, batch, peak_lr, 1, 0.75, save_a)
    info["step_b"] = {"step": steps, "held_out_bits_per_byte": bpb(model)}
    save_model(model, os.path.join(args.outdir, "step_b"), {"step": steps})
    print(f"step_b: {info['step_b']}", flush=True)

    ft_opt = torch.optim.AdamW(model.parameters(), lr=peak_lr / 10, betas=(0.9, 0.95),
                               weight_decay=0.1)
    ft_steps = run(model, ft_opt, licences, g, minutes * 60 / 5, batch, peak_lr / 10, 2)
    info["finetune"] = {"steps": ft_steps, "text_tokens": len(licences),
                        "held_out_bits_per_byte": bpb(model)}
    save_model(model, os.path.join(args.outdir, "finetune"), {"finetune_steps": ft_steps})
    print(f"finetune: {info['finetune']}", flush=True)
    info["total_seconds"] = round(time.time() - t0, 1)
    with open(os.path.join(args.outdir, "checkpoints.json"), "w") as f:
        json.dump(info, f, indent=1)


if __name__ == "__main__":
    main()
