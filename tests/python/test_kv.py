"""emzip.kv: trained tables and the block codec on K/V caches in vLLM's layout
(2, num_blocks, block_size, heads, head_dim), as torch tensors and numpy arrays."""

import threading

import numpy as np
import pytest

import emzip
import emzip.kv as kv

import torch  # a test requirement (scripts/install-deps.sh): a missing torch fails, not skips

LAYERS, BLOCKS, TOKENS, HEADS, HEAD_DIM = 3, 24, 16, 4, 64


def gaussian_cache(rng, scale_k=1.0):
    """float32 (2, BLOCKS, TOKENS, HEADS, HEAD_DIM): K with outlier channels (a log-normal scale
    per head and dimension, as rotary-embedded keys have), V plain gaussian per head."""
    k_scale = scale_k * rng.lognormal(0.0, 1.0, (HEADS, HEAD_DIM)).astype(np.float32)
    v_scale = rng.lognormal(-1.0, 0.3, (HEADS, 1)).astype(np.float32)
    shape = (BLOCKS, TOKENS, HEADS, HEAD_DIM)
    k = rng.standard_normal(shape, dtype=np.float32) * k_scale
    v = rng.standard_normal(shape, dtype=np.float32) * v_scale
    return np.stack([k, v])


def fp8_bits(x, exp_bits, man_bits, max_value):
    """float32 -> FP8 bit patterns (E4M3FN or E5M2), rounded toward zero: realistic bytes
    without a float8 dtype."""
    bias = (1 << (exp_bits - 1)) - 1
    sign = (x < 0).astype(np.uint8) << 7
    a = np.minimum(np.abs(x), max_value)
    min_normal = 2.0 ** (1 - bias)
    e = np.floor(np.log2(np.maximum(a, min_normal))).astype(np.int32)
    normal = a >= min_normal
    m_normal = np.floor(a / 2.0 ** e * (1 << man_bits)) - (1 << man_bits)
    m_sub = np.floor(a / (min_normal / (1 << man_bits)))
    e_field = np.where(normal, e + bias, 0).astype(np.uint8)
    m_field = np.clip(np.where(normal, m_normal, m_sub), 0, (1 << man_bits) - 1).astype(np.uint8)
    return sign | (e_field << man_bits) | m_field


def make_cache(rng, dtype, framework):
    """(cache, explicit dtype= or None) for one layer."""
    x = gaussian_cache(rng)
    if dtype in ("e4m3", "e5m2"):
        bits = fp8_bits(x, 4, 3, 448.0) if dtype == "e4m3" else fp8_bits(x, 5, 2, 57344.0)
        return (torch.from_numpy(bits) if framework == "torch" else bits), dtype
    if framework == "torch":
        t = torch.from_numpy(x)
        return t.to(torch.bfloat16 if dtype == "bf16" else torch.float16), None
    if dtype == "bf16":  # numpy has no bfloat16: the top halves of float32, as uint16
        return (x.view(np.uint32) >> np.uint32(16)).astype(np.uint16), "bf16"
    return x.astype(np.float16), None


def as_bytes(a):
    if isinstance(a, torch.Tensor):
        return a.contiguous().reshape(-1).view(torch.uint8).numpy()
    return np.ascontiguousarray(a).reshape(-1).view(np.uint8)


def page(a, kv_index, block):
    return as_bytes(a[kv_index, block]).tobytes()


CASES = [("bf16", "torch"), ("fp16", "torch"), ("e4m3", "torch"), ("e5m2", "torch"),
         ("bf16", "numpy"), ("fp16", "numpy"), ("e4m3", "numpy"), ("e5m2", "numpy")]


@pytest.fixture(scope="module", params=CASES, ids=[f"{d}-{f}" for d, f in CASES])
def model(request):
    """Per-layer caches of one dtype, the tables trained on them, and the dtype= to pass."""
    dtype, framework = request.param
    rng = np.random.default_rng(sum(map(ord, dtype + framework)))
    made = [make_cache(rng, dtype, framework) for _ in range(LAYERS)]
    caches, explicit = [c for c, _ in made], made[0][1]
    tables = kv.Tables.train(caches, dtype=explicit)
    return dtype, caches, explicit, tables


@pytest.fixture(scope="module")
def bf16():
    """A bf16 torch model, for the tests that need only one."""
    rng = np.random.default_rng(1)
    caches = [make_cache(rng, "bf16", "torch")[0] for _ in range(LAYERS)]
    return caches, kv.Tables.train(caches)


def test_round_trip_every_dtype(model):
    dtype, caches, explicit, tables = model
    assert tables.dtype == dtype and tables.layers == LAYERS and tables.groups == 2 * LAYERS
    assert tables.layout == (HEADS, HEAD_DIM)
    itemsize = 1 if dtype in ("e4m3", "e5m2") else 2
    assert tables.block_size == TOKENS * HEADS * HEAD_DIM * itemsize
    # K's channels differ in scale: each layer's K group has a channel shift over all channels
    for layer in range(LAYERS):
        assert tables.group_shift(2 * layer) == HEADS * HEAD_DIM
    with pytest.raises(emzip.Error, match="groups"):
        tables.group_shift(2 * LAYERS)
    # clusters only for FP8 (where a group may have them), never for the wider types
    for g in range(2 * LAYERS):
        clusters = tables.group_clusters(g)
        assert clusters == 0 or (itemsize == 1 and 2 <= clusters <= 16), (g, clusters)
    with pytest.raises(emzip.Error, match="groups"):
        tables.group_clusters(2 * LAYERS)
    codec = kv.KVCodec(tables)
    ids = list(range(BLOCKS))
    for layer, cache in enumerate(caches):
        blobs = codec.compress_blocks(cache, ids, layer, dtype=explicit)
        assert len(blobs) == 2 * BLOCKS
        assert sum(map(len, blobs)) < 0.9 * as_bytes(cache).nbytes  # gaussian data compresses
        out = cache.clone() if isinstance(cache, torch.Tensor) else cache.copy()
        as_bytes(out)[:] = 0
        assert codec.decompress_blocks(blobs, out=out, block_ids=ids, layer=layer,
                                       dtype=explicit) is out
        assert np.array_equal(as_bytes(out), as_bytes(cache))


def test_blob_order_is_k_then_v_per_block(bf16):
    caches, tables = bf16
    codec = kv.KVCodec(tables)
    ids = [9, 2, 17]
    blobs = codec.compress_blocks(caches[1], ids, 1)
    for i, b in enumerate(ids):
        for kv_index in (0, 1):
            blob = blobs[kv.blob_index(i, kv_index)]
            assert codec.decompress(blob, group=2 + kv_index) == page(caches[1], kv_index, b)
            info = kv.block_info(blob)
            assert info["set_tag"] == tables.group_id(2 + kv_index) & 0xFFFFFFFF
            assert info["dtype"] == "bf16" and info["has_tables"] and not info["has_checksum"]


@pytest.mark.parametrize("ids", [[5], [0, BLOCKS - 1], [11, 3, 7, 20],
                                 np.array([4, 8, 15]), torch.tensor([1, 2, 3]), range(6, 10)])
def test_out_writes_only_the_named_blocks(bf16, ids):
    caches, tables = bf16
    codec = kv.KVCodec(tables)
    blobs = codec.compress_blocks(caches[0], ids, 0)
    out = torch.empty_like(caches[0])
    out.view(torch.int16).fill_(0x5A5A)
    codec.decompress_blocks(blobs, out=out, block_ids=ids, layer=0)
    named = set(np.asarray(list(ids)).tolist())
    for b in range(BLOCKS):
        for kv_index in (0, 1):
            if b in named:
                assert page(out, kv_index, b) == page(caches[0], kv_index, b)
            else:
                assert set(page(out, kv_index, b)) == {0x5A}, f"block {b} was written"


def test_empty_block_ids(bf16):
    caches, tables = bf16
    codec = kv.KVCodec(tables)
    assert codec.compress_blocks(caches[0], [], 0) == []
    out = caches[0].clone()
    assert codec.decompress_blocks([], out=out, block_ids=[], layer=0) is out


def test_tables_save_and_load(bf16, tmp_path):
    caches, tables = bf16
    path = tmp_path / "model.emzt"
    assert tables.save(path) is None
    data = tables.save()
    assert path.read_bytes() == data
    for source in (path, str(path), data, bytearray(data), memoryview(data)):
        loaded = kv.Tables.load(source, dtype=torch.bfloat16, layout=(HEADS, HEAD_DIM))
        assert loaded.id == tables.id and loaded.groups == tables.groups
        assert [loaded.group_id(g) for g in range(6)] == [tables.group_id(g) for g in range(6)]
    # blobs of the trained tables decode with the loaded ones
    codec, other = kv.KVCodec(tables), kv.KVCodec(kv.Tables.load(data))
    blobs = codec.compress_blocks(caches[2], [3, 4], 2)
    assert other.compress_blocks(caches[2], [3, 4], 2) == blobs
    out = torch.zeros_like(caches[2])
    other.decompress_blocks(blobs, out=out, block_ids=[3, 4], layer=2)
    assert page(out, 1, 4) == page(caches[2], 1, 4)


def test_load_refuses_other_types_layouts_and_damage(bf16):
    data = bf16[1].save()
    with pytest.raises(emzip.Error) as info:
        kv.Tables.load(data, dtype="fp16")
    assert info.value.status == "wrong_tables" and "bf16" in str(info.value)
    assert f"{bf16[1].id:016x}" in str(info.value)
    for kwargs in ({"layout": (HEADS, 128)}, {"dtype": "bf16", "layout": (8, HEAD_DIM)}):
        with pytest.raises(emzip.Error, match="heads") as info:
            kv.Tables.load(data, **kwargs)
        assert info.value.status == "wrong_tables"
    for bad in (data[: len(data) // 2], data[:10], b"", b"not a table file at all" * 4):
        with pytest.raises(emzip.Error) as info:
            kv.Tables.load(bad)
        assert info.value.status in ("truncated", "not_emzip", "corrupt", "checksum")
    flipped = bytearray(data)
    flipped[len(data) // 2] ^= 0x10
    with pytest.raises(emzip.Error) as info:
        kv.Tables.load(flipped)
    assert info.value.status in ("checksum", "corrupt")
    with pytest.raises(TypeError):
        kv.Tables.load(data, layout=8)
    with pytest.raises(TypeError):
        kv.Tables(data)


def test_wrong_tables_name_both_ids(bf16):
    caches, tables = bf16
    rng = np.random.default_rng(99)
    others = kv.Tables.train([make_cache(rng, "bf16", "torch")[0] for _ in range(LAYERS)])
    assert others.id != tables.id
    blobs = kv.KVCodec(tables).compress_blocks(caches[0], [1, 2], 0)
    out = torch.zeros_like(caches[0])
    for call in (lambda: kv.KVCodec(others).decompress_blocks(blobs, out, [1, 2], 0),
                 lambda: kv.KVCodec(others).decompress(blobs[0]),
                 lambda: kv.KVCodec(others)._codec.decompress_batch(blobs, [bytearray(8192)] * 4)):
        with pytest.raises(emzip.Error) as info:
            call()
        assert info.value.status == "wrong_tables"
        tag = kv.block_info(blobs[0])["set_tag"]
        assert f"{tag:08x}" in str(info.value) and f"{others.id:016x}" in str(info.value)
    assert not out.view(torch.int16).any()  # refused before anything was written


def test_blobs_of_another_group_are_refused(bf16):
    caches, tables = bf16
    codec = kv.KVCodec(tables)
    blobs = codec.compress_blocks(caches[0], [1, 2], 0)
    out = torch.zeros_like(caches[0])
    with pytest.raises(emzip.Error, match="group 0's table set") as info:
        codec.decompress_blocks(blobs, out, [1, 2], layer=1)  # layer 0's blobs into layer 1
    assert info.value.status == "wrong_tables"
    swapped = [blobs[1], blobs[0], blobs[3], blobs[2]]  # V where K goes
    with pytest.raises(emzip.Error, match="group 1's table set .*not group 0's"):
        codec.decompress_blocks(swapped, out, [1, 2], layer=0)
    with pytest.raises(emzip.Error) as info:
        codec.decompress(blobs[0], group=1)
    assert info.value.status == "wrong_tables"
    assert not out.view(torch.int16).any()


def test_truncated_and_damaged_blobs(bf16):
    caches, tables = bf16
    codec = kv.KVCodec(tables)
    blobs = codec.compress_blocks(caches[0], [3, 4], 0)
    out = torch.zeros_like(caches[0])
    for size in (0, 1, 3, len(blobs[0]) // 2, len(blobs[0]) - 1):
        bad = [blobs[0][:size]] + blobs[1:]
        with pytest.raises(emzip.Error) as info:
            codec.decompress_blocks(bad, out, [3, 4], 0)
        assert info.value.status in ("truncated", "corrupt")
        with pytest.raises(emzip.Error):
            codec.decompress(blobs[0][:size])
    assert not out[:, [b for b in range(BLOCKS) if b not in (3, 4)]].view(torch.int16).any()
    # with checksums, every flipped bit is caught
    checked = kv.KVCodec(tables, checksum=True)
    blob = checked.compress(caches[0][0, 3], 0)
    assert len(blob) == len(blobs[0]) + 4 and kv.block_info(blob)["has_checksum"]
    rng = np.random.default_rng(5)
    for position in rng.integers(0, len(blob), 40):
        bad = bytearray(blob)
        bad[position] ^= 1 << int(rng.integers(0, 8))
        with pytest.raises(emzip.Error) as info:
            checked.decompress(bytes(bad))
        assert info.value.status in ("checksum", "corrupt", "truncated", "wrong_tables",
                                     "not_emzip", "unsupported_version", "invalid_argument")


def test_wrong_dtype_shape_or_memory(bf16):
    caches, tables = bf16
    codec = kv.KVCodec(tables)
    cache = caches[0]
    blobs = codec.compress_blocks(cache, [1], 0)
    with pytest.raises(emzip.Error, match="holds fp16") as info:
        codec.compress_blocks(cache.to(torch.float16), [1], 0)
    assert info.value.status == "wrong_tables"
    with pytest.raises(emzip.Error, match="for bf16"):
        codec.decompress_blocks(blobs, torch.zeros(cache.shape, dtype=torch.float16), [1], 0)
    with pytest.raises(emzip.Error, match="holds fp32"):
        codec.decompress_blocks(blobs, torch.zeros(cache.shape), [1], 0)
    with pytest.raises(TypeError, match="dtype="):  # integer views must say what they hold
        codec.decompress_blocks(blobs, torch.zeros(cache.shape, dtype=torch.int16), [1], 0)
    with pytest.raises(TypeError, match="1-byte elements cannot hold bf16"):
        codec.decompress_blocks(blobs, torch.zeros(cache.shape, dtype=torch.uint8), [1], 0,
                                dtype="bf16")
    with pytest.raises(TypeError, match="shape"):
        codec.decompress_blocks(blobs, torch.zeros(cache.shape[1:], dtype=cache.dtype), [1], 0)
    with pytest.raises(emzip.Error, match="heads") as info:
        codec.decompress_blocks(blobs, torch.zeros(2, BLOCKS, TOKENS, HEADS * 2, HEAD_DIM // 2,
                                                   dtype=cache.dtype), [1], 0)
    assert info.value.status == "wrong_tables"
    with pytest.raises(emzip.Error, match="slot"):  # pages of 8 tokens: blobs of 16 do not fit
        codec.decompress_blocks(blobs, torch.zeros(2, BLOCKS, 8, HEADS, HEAD_DIM,
                                                   dtype=cache.dtype), [1], 0)
    wide = torch.zeros(2, BLOCKS, TOKENS, HEADS, HEAD_DIM * 2, dtype=cache.dtype)
    with pytest.raises(TypeError, match="contiguous"):
        codec.decompress_blocks(blobs, wide[..., ::2], [1], 0)
    with pytest.raises(TypeError, match="contiguous"):
        codec.compress_blocks(cache.transpose(3, 4), [1], 0)
    read_only = np.zeros(cache.shape, np.uint16)
    read_only.flags.writeable = False
    with pytest.raises(TypeError, match="read-only"):
        codec.decompress_blocks(blobs, read_only, [1], 0, dtype="bf16")
    with pytest.raises(TypeError, match="tensor or numpy array"):
        codec.decompress_blocks(blobs, bytearray(cache.numel() * 2), [1], 0)


def test_wrong_block_ids_layers_and_counts(bf16):
    caches, tables = bf16
    codec = kv.KVCodec(tables)
    blobs = codec.compress_blocks(caches[0], [1, 2], 0)
    out = torch.zeros_like(caches[0])
    with pytest.raises(IndexError, match="block id"):
        codec.compress_blocks(caches[0], [BLOCKS], 0)
    with pytest.raises(IndexError, match="block id"):
        codec.decompress_blocks(blobs, out, [1, -1], 0)
    with pytest.raises(IndexError, match="layer"):
        codec.compress_blocks(caches[0], [1], LAYERS)
    with pytest.raises(TypeError, match="layer"):
        codec.compress_blocks(caches[0], [1], "0")
    with pytest.raises(TypeError, match="block_ids"):
        codec.compress_blocks(caches[0], 1, 0)
    with pytest.raises(TypeError, match="block_ids"):
        codec.compress_blocks(caches[0], [1.0], 0)
    with pytest.raises(emzip.Error, match="twice"):
        codec.decompress_blocks(blobs, out, [1, 1], 0)
    with pytest.raises(emzip.Error, match="3 blobs for 2 blocks"):
        codec.decompress_blocks(blobs[:3], out, [1, 2], 0)
    with pytest.raises(TypeError, match="blobs"):
        codec.decompress_blocks(blobs[0], out, [1], 0)
    assert not out.view(torch.int16).any()


def test_threads_give_the_same_blobs(model):
    dtype, caches, explicit, tables = model
    ids = [0, 5, 6, 13, 23, 2, 9, 1]
    one = kv.KVCodec(tables).compress_blocks(caches[1], ids, 1, dtype=explicit)
    for threads in (2, 0):
        codec = kv.KVCodec(tables, threads=threads)
        assert codec.threads == threads
        assert codec.compress_blocks(caches[1], ids, 1, dtype=explicit) == one
        out = caches[1].clone() if isinstance(caches[1], torch.Tensor) else caches[1].copy()
        as_bytes(out)[:] = 0
        codec.decompress_blocks(one, out, ids, 1, dtype=explicit)
        for b in ids:
            assert page(out, 0, b) == page(caches[1], 0, b)
            assert page(out, 1, b) == page(caches[1], 1, b)


def test_two_python_threads_decompress_batches_concurrently(bf16):
    caches, tables = bf16
    ids = list(range(BLOCKS))
    shared = kv.KVCodec(tables, threads=2)
    blobs = [shared.compress_blocks(caches[layer], ids, layer) for layer in range(2)]
    errors, outs = [], [torch.zeros_like(caches[0]) for _ in range(4)]

    def work(i, codec):
        layer = i % 2
        try:
            for _ in range(20):
                outs[i].zero_()
                codec.decompress_blocks(blobs[layer], outs[i], ids, layer)
                assert torch.equal(outs[i].view(torch.int16), caches[layer].view(torch.int16))
        except Exception as e:  # reported to the main thread
            errors.append(e)

    # two with their own codecs (in parallel), two sharing one (one call at a time)
    workers = [threading.Thread(target=work, args=(0, kv.KVCodec(tables))),
               threading.Thread(target=work, args=(1, kv.KVCodec(tables, threads=2))),
               threading.Thread(target=work, args=(2, shared)),
               threading.Thread(target=work, args=(3, shared))]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert not errors, errors


def test_single_pages(bf16):
    caches, tables = bf16
    codec = kv.KVCodec(tables)
    k = caches[2][0, 7]
    blob = codec.compress(k, 4)
    assert codec.decompress(blob) == page(caches[2], 0, 7)
    assert codec.compress(as_bytes(k).tobytes(), 4) == blob  # raw bytes: the tables' dtype
    assert codec.compress(as_bytes(k), 4, dtype="bf16") == blob
    out = torch.zeros_like(k)
    assert codec.decompress(blob, out=out, group=4) is out and torch.equal(out, k)
    target = bytearray(k.numel() * 2)
    codec.decompress(blob, out=target)
    assert bytes(target) == page(caches[2], 0, 7)
    with pytest.raises(emzip.Error, match="decodes to"):
        codec.decompress(blob, out=bytearray(len(target) + 2))
    with pytest.raises(emzip.Error, match="1 to 16 MiB"):
        codec.compress(b"", 0)
    with pytest.raises(IndexError, match="group"):
        codec.compress(k, 2 * LAYERS)
    with pytest.raises(TypeError, match="group"):
        codec.compress(k, None)
    with pytest.raises(emzip.Error, match="unknown dtype"):
        codec.compress(k, 0, dtype="bf17")
    with pytest.raises(TypeError, match="out"):
        codec.decompress(blob, out=12)


def test_without_tables():
    rng = np.random.default_rng(3)
    cache = make_cache(rng, "fp16", "numpy")[0]
    codec = kv.KVCodec(None)
    assert codec.tables is None
    blobs = codec.compress_blocks(cache, [4, 5], 0)
    assert not kv.block_info(blobs[0])["has_tables"]
    out = np.zeros_like(cache)
    codec.decompress_blocks(blobs, out, [4, 5], 0)
    assert np.array_equal(out[:, 4:6], cache[:, 4:6])
    # blobs coded with tables need them
    tables = kv.Tables.train([cache])
    coded = kv.KVCodec(tables).compress_blocks(cache, [4], 0)
    with pytest.raises(emzip.Error) as info:
        codec.decompress(coded[0])
    assert info.value.status == "wrong_tables"


def test_train_arguments():
    rng = np.random.default_rng(4)
    fp8 = make_cache(rng, "e4m3", "torch")[0]
    with pytest.raises(TypeError, match="dtype="):
        kv.Tables.train([fp8])  # uint8: FP8 of which kind?
    tables = kv.Tables.train(iter([[fp8, fp8[:, :5].contiguous()]]), dtype="e4m3",
                             layout=(HEADS, HEAD_DIM), block_size=4096)
    assert tables.dtype == "e4m3" and tables.block_size == 4096 and tables.layers == 1
    with pytest.raises(emzip.Error, match="layout"):
        kv.Tables.train([fp8], dtype="e4m3", layout=(HEADS, 2 * HEAD_DIM))
    with pytest.raises(TypeError, match="shape"):
        kv.Tables.train([fp8[0]], dtype="e4m3")
    with pytest.raises(TypeError, match="first sample"):
        kv.Tables.train([fp8, fp8[:, :, :8].contiguous()], dtype="e4m3")
    with pytest.raises(TypeError, match="samples"):
        kv.Tables.train(fp8, dtype="e4m3")  # one cache, not a list of layers
    with pytest.raises(TypeError, match="no layer"):
        kv.Tables.train([], dtype="e4m3")
    with pytest.raises(emzip.Error, match="block_size|block size"):
        kv.Tables.train([fp8], dtype="e4m3", block_size=8)


def test_core_batches_of_buffers_and_offsets(bf16):
    caches, tables = bf16
    codec = emzip._core.BlockCodec(tables._core)
    flat = as_bytes(caches[0])
    size = TOKENS * HEADS * HEAD_DIM * 2
    offsets = [3 * size, 0, 40 * size]
    pages = [flat[o:o + size] for o in offsets]
    by_offset = codec.compress_batch(flat, "bf16", 0, offsets=offsets, size=size)
    assert codec.compress_batch(pages, "bf16", [0, 0, 0]) == by_offset
    outs = [bytearray(size) for _ in pages]
    codec.decompress_batch(by_offset, outs, groups=0)
    assert [bytes(o) for o in outs] == [p.tobytes() for p in pages]
    big = bytearray(4 * size)
    codec.decompress_batch(by_offset, big, offsets=[size, 0, 3 * size], size=size)
    assert bytes(big[:size]) == pages[1].tobytes()
    with pytest.raises(emzip.Error, match="overlap"):
        codec.decompress_batch(by_offset, big, offsets=[0, size // 2, 2 * size], size=size)
    with pytest.raises(emzip.Error, match="outside"):
        codec.decompress_batch(by_offset, big, offsets=[0, size, 3 * size + 1], size=size)
    with pytest.raises(emzip.Error, match="3 buffers"):
        codec.decompress_batch(by_offset[:2], outs)
    with pytest.raises(TypeError, match="read-only"):
        codec.decompress_batch(by_offset, [bytes(size)] * 3)
    with pytest.raises(TypeError, match="src"):
        codec.compress_batch(5, "bf16", 0)
    with pytest.raises(TypeError, match="groups"):
        codec.compress_batch(pages, "bf16", "0")
    with pytest.raises(TypeError):
        emzip._core.BlockCodec(tables)  # the Python wrapper: the core wants _core.Tables
    with pytest.raises(emzip.Error, match="impl"):
        emzip._core.BlockCodec(tables._core, impl="sse9")
    assert emzip._core.BlockCodec(tables._core, impl="scalar").compress_batch(
        pages, "bf16", 0) == by_offset  # every implementation writes the same bytes
