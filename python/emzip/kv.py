"""Pages of attention K/V caches: tables trained once per model, and a codec that compresses and
decompresses cache blocks in microseconds, straight from and into the cache tensor.

    import emzip.kv, torch
    # one cache per layer, in vLLM's layout (2, num_blocks, block_size, heads, head_dim)
    caches = [torch.randn(2, 64, 16, 8, 128).to(torch.bfloat16) for _ in range(4)]
    tables = emzip.kv.Tables.train(caches)             # or Tables.load("model.emzt", ...)
    tables.save("model.emzt")
    codec = emzip.kv.KVCodec(tables, threads=4)
    blobs = codec.compress_blocks(caches[2], [5, 9], layer=2)    # [K5, V5, K9, V9]
    codec.decompress_blocks(blobs, out=caches[2], block_ids=[5, 9], layer=2)

Layout: a layer's cache has the shape (2, num_blocks, block_size, heads, head_dim), K at [0] and
V at [1]; it must be C-contiguous (then every page cache[kv, b] is one contiguous run of bytes,
which is what a block codes). Blocks are read from and written to the cache's memory directly.

Groups: the tables hold one table set per group, group = 2 * layer + kv (kv 0 for K, 1 for V).
A blob names the table set it was coded with: decompressing it with other tables, or into the
slot of another layer or of K instead of V, raises emzip.Error (status "wrong_tables"), naming
the ids; it is never decoded with the wrong tables.

Blob order: compress_blocks(cache, block_ids, layer) returns 2 * len(block_ids) blobs,
blobs[2 * i] the K page and blobs[2 * i + 1] the V page of block block_ids[i] (see blob_index);
decompress_blocks takes them in the same order.

dtypes: a cache's own dtype (torch bfloat16 / float16 / float32, numpy float16 / float32, the
emzip_dtype tag of emzip's integer views) or an explicit dtype= for caches held as integers of
the same width: a uint8 cache of FP8 values (torch 1.13 has no float8) needs dtype="e4m3" or
"e5m2", a uint16 / int16 array of BF16 values dtype="bf16". A cache of another type than the
tables' raises emzip.Error (status "wrong_tables").

threads: None or 1 runs on the calling thread, N spreads a call's blocks over N threads (the
calling one included, started once with the codec), 0 one per processor. Every call releases the
GIL. A codec serves one call at a time: threads sharing one wait for each other (give each
thread its own codec to run in parallel); Tables may be shared by any number of codecs.

Errors: emzip.Error (a ValueError; .status "wrong_tables", "truncated", "corrupt", "checksum",
"invalid_argument"...), TypeError for arguments of the wrong type (a non-contiguous, read-only or
non-CPU cache among them), IndexError for a block id or layer out of range.
"""

import os

from . import _core, _dtypes
from ._core import Error

__all__ = ["Tables", "KVCodec", "block_info", "blob_index", "Error"]

_WIDTH = {"bf16": 2, "fp16": 2, "fp32": 4, "e4m3": 1, "e5m2": 1, "fp4": 1, "bytes": 1}
_BLOCK_RESERVE = (4096, 16 << 20)  # EMZ_PARAM_BLOCK_SIZE's range


def blob_index(i, kv):
    """Where the page kv (0 K, 1 V) of the i-th block of block_ids is in compress_blocks'
    list: 2 * i + kv."""
    return 2 * i + kv


def block_info(blob):
    """A blob's header: {"dtype", "original_size", "set_tag" (the low 32 bits of the id of the
    table set it was coded with), "has_tables", "has_checksum"}."""
    return _core.block_info(blob)


class _Cache:
    """A cache (or a page) checked and viewed as flat bytes: view (a uint8 numpy array sharing
    its memory), shape, dtype (emzip's name) and page (bytes of one block, for 5-d caches)."""

    __slots__ = ("view", "shape", "dtype", "page")

    def __init__(self, view, shape, dtype, page):
        self.view, self.shape, self.dtype, self.page = view, shape, dtype, page


def _flat_bytes(obj, what, writable):
    """A uint8 numpy view of the memory of a torch tensor or numpy array (no copy); TypeError
    for other objects and for non-CPU, non-contiguous or (when writable) read-only ones."""
    if _dtypes.is_torch_tensor(obj):
        if obj.device.type != "cpu":
            raise TypeError(f"{what}: the tensor is on {obj.device}; emzip reads CPU memory")
        if not obj.is_contiguous():
            raise TypeError(f"{what}: the tensor is not contiguous (the cache must be)")
        import torch

        return obj.detach().reshape(-1).view(torch.uint8).numpy(), tuple(obj.shape), \
            obj.element_size()
    import numpy as np

    if not isinstance(obj, np.ndarray):
        raise TypeError(f"{what}: expected a torch tensor or numpy array, got "
                        f"{type(obj).__name__}")
    if not obj.flags.c_contiguous:
        raise TypeError(f"{what}: the array is not C-contiguous (the cache must be)")
    if writable and not obj.flags.writeable:
        raise TypeError(f"{what}: the array is read-only")
    return obj.reshape(-1).view(np.uint8), obj.shape, obj.itemsize


def _resolve_dtype(obj, dtype, what, itemsize, tables_dtype, raw_ok=False):
    """emzip's type name for the elements of obj: dtype= when given, else obj's own. Integer
    holders (uint8 FP8 caches, uint16 BF16 arrays) must say which type they hold (dtype=),
    unless tables_dtype is "bytes", or None (no tables) for a 1-byte array (bytes then). The
    elements must have the type's width; raw_ok accepts 1-byte ones too (a page as bytes)."""
    if dtype is not None:
        name = _dtypes.codec_type(dtype)
        if name not in _WIDTH:
            _core.raise_error("invalid_argument", f"unknown dtype {dtype!r} "
                              "(bf16 fp16 fp32 e4m3 e5m2 fp4 bytes)")
    else:
        name = _dtypes.codec_type(None, obj)
        if name == "bytes" and tables_dtype != "bytes" and (tables_dtype is not None or
                                                             itemsize != 1):
            for_ = f" (the tables are for {tables_dtype})" if tables_dtype else ""
            raise TypeError(f"{what}: a {obj.dtype} array holds the bits of another type: say "
                            f"which with dtype= ('e4m3' or 'e5m2' for FP8 bytes, 'bf16'...)"
                            f"{for_}")
    if itemsize != _WIDTH[name] and not (raw_ok and itemsize == 1):
        raise TypeError(f"{what}: {itemsize}-byte elements cannot hold {name} values "
                        f"({_WIDTH[name]} bytes each)")
    return name


class Tables:
    """Trained tables for K/V cache blocks: one table set per group (2 * layer + kv), trained
    from sample caches (Tables.train) or read from a table file (Tables.load; *.emzt, also
    written by `emzip train`). Immutable: share one among any number of codecs and threads."""

    __slots__ = ("_core",)

    def __init__(self, core):
        """Use Tables.load or Tables.train."""
        if not isinstance(core, _core.Tables):
            raise TypeError("use emzip.kv.Tables.load(...) or Tables.train(...)")
        self._core = core

    @classmethod
    def load(cls, source, dtype=None, layout=None):
        """Reads a table file: source is a path (str or os.PathLike) or its bytes (any bytes-like
        object). The whole file is checked (emzip.Error: "not_emzip", "truncated", "corrupt",
        "checksum"...). dtype (a name, torch or numpy dtype) and layout ((heads, head_dim)) state
        what the tables must be for: tables of another type or layout raise emzip.Error (status
        "wrong_tables") naming what they are for."""
        if isinstance(source, (str, os.PathLike)):
            with open(source, "rb") as f:
                source = f.read()
        kwargs = {}
        if dtype is not None:
            kwargs["dtype"] = _dtypes.codec_type(dtype)
        if layout is not None:
            kwargs["heads"], kwargs["head_dim"] = _layout(layout)
        return cls(_core.Tables.load(source, **kwargs))

    @classmethod
    def train(cls, samples, dtype=None, layout=None, block_size=None):
        """Trains tables from sample caches: samples[layer] is one layer's cache, or a list of
        caches of that layer (several prompts), each a torch tensor or numpy array in vLLM's
        layout (2, num_blocks, block_size, heads, head_dim), C-contiguous. Each layer gives two
        groups, its K (group 2 * layer) and its V (2 * layer + 1); every layer needs a sample.
        Train on filled blocks only (cache[:, used_block_ids]): empty pages teach zeros.

        dtype: the caches' element type, needed for integer holders (dtype="e4m3" for uint8 FP8
        caches); layout: (heads, head_dim), by default the samples'; block_size: bytes of the
        blocks the tables will code, by default one page of the samples (block_size tokens x
        heads x head_dim x the element size)."""
        if _dtypes.is_torch_tensor(samples) or hasattr(samples, "dtype"):
            raise TypeError("samples: expected a list of per-layer caches (samples[layer])")
        samples = list(samples)
        pairs, found = [], {}
        for layer, entry in enumerate(samples):
            caches = entry if isinstance(entry, (list, tuple)) else [entry]
            if not caches:
                raise TypeError(f"samples[{layer}]: no cache")
            for cache in caches:
                for kv, half in enumerate(_train_halves(cache, dtype, found, layer)):
                    pairs.append((half, 2 * layer + kv))
        if not pairs:
            raise TypeError("samples: no layer")
        heads, head_dim = found["shape"][3:5]
        if layout is not None and _layout(layout) != (heads, head_dim):
            _core.raise_error("invalid_argument", f"layout={tuple(layout)}, but the samples "
                              f"have {heads} heads x {head_dim}")
        if block_size is None:
            block_size = found["page"]
        return cls(_core.Tables.train(found["dtype"], pairs, 2 * len(samples), heads=heads,
                                      head_dim=head_dim, block_size=block_size))

    def save(self, path=None):
        """The table file's bytes; with path, writes them there (atomically: a temporary file
        renamed into place) and returns None."""
        data = self._core.save()
        if path is None:
            return data
        from ._files import _write_atomically

        _write_atomically(os.fspath(path), lambda fd: _write_all(fd, data))
        return None

    def group_id(self, group):
        """The 64-bit id of a group's table set (its blocks carry the low 32 bits)."""
        return self._core.group_id(group)

    def group_shift(self, group):
        """The channels (heads x head_dim) of a group's channel shift, 0 when it has none.
        Tables trained with a layout give each group of BF16, FP16, FP32 or FP8 one: per-channel
        exponent offsets (and for FP8 sign flips) applied before coding, which let one table fit
        channels of very different scales (docs/FORMAT.md, "Channel shift")."""
        return self._core.group_shift(group)

    def group_clusters(self, group):
        """The channel clusters of a group, 0 when it has none. FP8 tables trained with a layout
        give a group clusters where they pay: groups of channels alike in spread, each coded with
        table sets of its own (docs/FORMAT.md, "Channel clusters")."""
        return self._core.group_clusters(group)

    @property
    def dtype(self):
        """emzip's name of the element type: "bf16", "fp16", "fp32", "e4m3", "e5m2"..."""
        return self._core.dtype

    @property
    def groups(self):
        """Table sets: 2 x layers for K/V caches."""
        return self._core.groups

    @property
    def layers(self):
        """groups // 2."""
        return self._core.groups // 2

    @property
    def layout(self):
        """(heads, head_dim), or None when the tables were trained without a layout."""
        heads, head_dim = self._core.heads, self._core.head_dim
        return (heads, head_dim) if heads or head_dim else None

    @property
    def block_size(self):
        """Bytes of the blocks the tables were trained for (blocks of any size are coded)."""
        return self._core.block_size

    @property
    def id(self):
        """XXH3-64 of the table file's bytes: the tables' identity."""
        return self._core.id

    def __repr__(self):
        return (f"emzip.kv.Tables(dtype={self.dtype!r}, layers={self.layers}, "
                f"layout={self.layout}, block_size={self.block_size}, id={self.id:016x})")


def _write_all(fd, data):
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _layout(layout):
    try:
        heads, head_dim = layout
    except (TypeError, ValueError):
        raise TypeError(f"layout: expected (heads, head_dim), got {layout!r}") from None
    for value in (heads, head_dim):
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError(f"layout: expected two ints, got {layout!r}")
    return heads, head_dim


def _train_halves(cache, dtype, found, layer):
    """The K and V halves of one sample cache, as bytes views; found keeps the first cache's
    dtype, shape and page, which every other sample must share."""
    what = f"samples[{layer}]"
    view, shape, itemsize = _flat_bytes(cache, what, False)
    # training needs the type: a uint8 sample without dtype= is refused (tables_dtype "")
    name = _resolve_dtype(cache, dtype, what, itemsize, found.get("dtype", ""))
    _check_shape(shape, what)
    if "dtype" not in found:
        found.update(dtype=name, shape=shape, page=view.nbytes // max(1, 2 * shape[1]))
    elif name != found["dtype"] or tuple(shape[2:]) != tuple(found["shape"][2:]):
        raise TypeError(f"{what}: a {name} cache of shape {tuple(shape)}, but the first sample "
                        f"is {found['dtype']} of shape {tuple(found['shape'])}")
    half = view.nbytes // 2
    return view[:half], view[half:]


def _check_shape(shape, what):
    if len(shape) != 5 or shape[0] != 2:
        raise TypeError(f"{what}: expected a cache of shape (2, num_blocks, block_size, heads, "
                        f"head_dim), got {tuple(shape)}")


class KVCodec:
    """Compresses and decompresses K/V cache blocks with trained tables (or, with tables=None,
    blocks that carry their own tables, larger).

    threads: None or 1 the calling thread, N spreads a batch over N threads, 0 one per
    processor. checksum=True stores a 4-byte checksum in each blob (verified when decoded
    unless verify=False; without it a damaged blob is still caught by its structure, mostly).
    impl: None, or "scalar", "avx2", "avx512", "neon" to force a kernel set."""

    __slots__ = ("_codec", "_tables", "_dtype")

    def __init__(self, tables, threads=None, checksum=False, verify=True, impl=None):
        if isinstance(tables, Tables):
            tables = tables._core
        elif tables is not None and not isinstance(tables, _core.Tables):
            raise TypeError(f"tables: expected emzip.kv.Tables or None, got "
                            f"{type(tables).__name__}")
        reserve = tables.block_size if tables is not None else 0
        if not _BLOCK_RESERVE[0] <= reserve <= _BLOCK_RESERVE[1]:
            reserve = 0
        self._codec = _core.BlockCodec(tables, threads=threads, checksum=bool(checksum),
                                       verify=bool(verify), impl=impl, block_size=reserve)
        self._tables = tables
        self._dtype = tables.dtype if tables is not None else None

    @property
    def tables(self):
        """The Tables the codec codes with (None without)."""
        return Tables(self._tables) if self._tables is not None else None

    @property
    def threads(self):
        return self._codec.threads

    def compress_blocks(self, cache, block_ids, layer, dtype=None):
        """Compresses the K and V pages of the blocks block_ids of one layer's cache (shape
        (2, num_blocks, block_size, heads, head_dim), C-contiguous, CPU) with the table sets of
        groups 2 * layer and 2 * layer + 1. Returns 2 * len(block_ids) bytes objects: K then V
        of each block, in the order of block_ids (blobs[2 * i + kv], blob_index)."""
        c = self._cache(cache, dtype, "cache", False)
        ids = _block_ids(block_ids, c.shape[1])
        group = self._group(layer)
        if not ids:
            return []
        offsets = _offsets(ids, c.shape[1], c.page)
        return self._codec.compress_batch(c.view, c.dtype, [group, group + 1] * len(ids),
                                          offsets, c.page)

    def decompress_blocks(self, blobs, out, block_ids, layer, dtype=None):
        """Decompresses blobs (compress_blocks' list: K then V of each block of block_ids)
        into the cache out, writing the pages out[0, b] and out[1, b] of each b in block_ids
        and nothing else. Each blob must have been coded with these tables' set of its group
        (2 * layer + kv) and hold exactly one page of out, else emzip.Error before anything is
        written; a blob found damaged while decoding raises emzip.Error too, leaving the named
        pages' contents unspecified. Returns out."""
        c = self._cache(out, dtype, "out", True)
        ids = _block_ids(block_ids, c.shape[1])
        group = self._group(layer)
        if isinstance(blobs, (bytes, bytearray, memoryview)):
            raise TypeError("blobs: expected a list of blobs (compress_blocks' list)")
        blobs = list(blobs)
        if len(blobs) != 2 * len(ids):
            _core.raise_error("invalid_argument", f"{len(blobs)} blobs for {len(ids)} blocks: "
                              "expected 2 a block (K, V)")
        if len(set(ids)) != len(ids):
            _core.raise_error("invalid_argument", "block_ids: a block appears twice")
        if ids:
            groups = [group, group + 1] * len(ids) if self._tables is not None else None
            self._codec.decompress_batch(blobs, c.view, _offsets(ids, c.shape[1], c.page),
                                         c.page, groups=groups)
        return out

    def compress(self, page, group, dtype=None):
        """Compresses one page (any C-contiguous buffer, tensor or array of 1 byte to 16 MiB)
        with group's table set. dtype: the page's own by default (the tables' for raw bytes)."""
        if _dtypes.is_torch_tensor(page) or hasattr(page, "dtype"):
            view, _, itemsize = _flat_bytes(page, "page", False)
            kind = _resolve_dtype(page, dtype, "page", itemsize, self._dtype, True)
        else:
            view = page
            kind = _dtypes.codec_type(dtype) if dtype is not None else self._dtype
            if kind is None:
                raise TypeError("dtype: required for raw bytes without tables")
        self._check_dtype(kind, "page")
        return self._codec.compress(view, kind, self._group_arg(group))

    def decompress(self, blob, out=None, group=None, dtype=None):
        """Decompresses one blob: bytes, or into out (a tensor, array or writable buffer of
        exactly the blob's original size), returned. With group, the blob must have been coded
        with that group's table set (emzip.Error "wrong_tables" otherwise)."""
        info = _core.block_info(blob)
        if group is not None:
            self._check_blob_group(info, self._group_arg(group))
        if out is None:
            return self._codec.decompress(blob)
        target = out
        if _dtypes.is_torch_tensor(out) or hasattr(out, "dtype"):
            target, _, itemsize = _flat_bytes(out, "out", True)
            self._check_dtype(_resolve_dtype(out, dtype, "out", itemsize, self._dtype, True), "out")
        try:
            size = target.nbytes if hasattr(target, "nbytes") else memoryview(target).nbytes
        except TypeError:
            raise TypeError(f"out: expected a tensor, array or writable buffer, got "
                            f"{type(out).__name__}") from None
        if size != info["original_size"]:
            _core.raise_error("invalid_argument", f"out holds {size} bytes; the blob decodes "
                              f"to {info['original_size']}")
        self._codec.decompress(blob, target)
        return out

    def __repr__(self):
        return f"emzip.kv.KVCodec({self.tables!r}, threads={self.threads})"

    # -- checks --

    def _cache(self, cache, dtype, what, writable):
        view, shape, itemsize = _flat_bytes(cache, what, writable)
        _check_shape(shape, what)
        kind = _resolve_dtype(cache, dtype, what, itemsize, self._dtype)
        self._check_dtype(kind, what)
        layout = (self._tables.heads, self._tables.head_dim) if self._tables is not None else (0, 0)
        if layout != (0, 0) and tuple(shape[3:5]) != layout:
            _core.raise_error("wrong_tables", f"{what} has {shape[3]} heads x {shape[4]}; the "
                              f"tables ({self._tables.id:016x}) are for {layout[0]} x "
                              f"{layout[1]}")
        page = view.nbytes // max(1, 2 * shape[1])
        return _Cache(view, shape, kind, page)

    def _check_dtype(self, kind, what):
        if self._dtype is not None and kind != self._dtype:
            _core.raise_error("wrong_tables", f"{what} holds {kind}; the tables "
                              f"({self._tables.id:016x}) are for {self._dtype}")

    def _group_arg(self, group):
        if not isinstance(group, int) or isinstance(group, bool):
            raise TypeError(f"group: expected an int, got {type(group).__name__}")
        if self._tables is not None and not 0 <= group < self._tables.groups:
            raise IndexError(f"group {group}: the tables have {self._tables.groups} groups")
        if group < 0:
            raise IndexError(f"group {group}: negative")
        return group

    def _group(self, layer):
        if not isinstance(layer, int) or isinstance(layer, bool):
            raise TypeError(f"layer: expected an int, got {type(layer).__name__}")
        layers = self._tables.groups // 2 if self._tables is not None else None
        if layer < 0 or (layers is not None and layer >= layers):
            raise IndexError(f"layer {layer}: the tables have {layers} layers")
        return 2 * layer

    def _check_blob_group(self, info, group):
        if self._tables is None or not info["has_tables"]:
            return
        tag = self._tables.group_id(group) & 0xFFFFFFFF
        if info["set_tag"] != tag:
            _core.raise_error("wrong_tables", f"the blob was coded with table set "
                              f"{info['set_tag']:08x}, not group {group}'s ({tag:08x}) of "
                              f"tables {self._tables.id:016x}")


def _block_ids(block_ids, num_blocks):
    """block_ids as a list of ints (a list, range, numpy array or torch tensor of ints), each in
    [0, num_blocks)."""
    if isinstance(block_ids, int):
        raise TypeError("block_ids: expected a list of block numbers, got an int")
    if hasattr(block_ids, "tolist"):
        block_ids = block_ids.tolist()
    ids = []
    for b in block_ids:
        if not isinstance(b, int) or isinstance(b, bool):
            raise TypeError(f"block_ids: expected ints, got {type(b).__name__}")
        if not 0 <= b < num_blocks:
            raise IndexError(f"block id {b}: the cache has {num_blocks} blocks")
        ids.append(b)
    return ids


def _offsets(ids, num_blocks, page):
    """Byte offsets of the pages (K then V of each block) in the flat cache."""
    v = num_blocks * page
    out = []
    for b in ids:
        out.append(b * page)
        out.append(v + b * page)
    return out
