"""emzip: lossless compression of neural-network tensors (BF16, FP16, FP32, FP8, FP4).

    import emzip, torch
    w = {"w": torch.randn(256, 256, dtype=torch.bfloat16)}
    emzip.save_file(w, "model.safetensors.emz")              # a compressed checkpoint
    t = emzip.load_file("model.safetensors.emz")["w"]       # back, bit for bit
    assert torch.equal(t.view(torch.int16), w["w"].view(torch.int16))

Checkpoints (safetensors-shaped):
    save_file(tensors, path, metadata=None)        dict of torch tensors / numpy arrays -> a
                                                   container; `emzip -d` gives a safetensors file
    load_file(path, device="cpu", framework="pt", threads=None) -> dict
    safe_open(path, framework="pt")                keys(), metadata(), get_tensor(name): only
                                                   that tensor's chunks are read and decoded
    compress_file(src, dst=None) / decompress_file(src, dst=None)
                                                   files and sharded directories, the CLI's bytes

Deltas (a fine-tune or the next checkpoint stored against its base, as `emzip --base`):
    save_file(tensors, path, base=BASE) / compress_file(src, base=BASE)     BASE: the base's
        .safetensors or .emz path (a directory of them for shards), its bytes, or a Reader
    load_file(path, base=BASE) / safe_open(path, base=BASE) / decompress_file(src, base=BASE)
        a delta loads only with its base: emzip.Error (.status "wrong_base") otherwise, naming
        the tensor and the digest of the base bytes it needs

Buffers (bytes, bytearray, memoryview, numpy arrays, contiguous CPU torch tensors):
    compress(data, dtype=None, level=None, threads=None) -> bytes      one frame
    decompress(data, out=None, threads=None) -> bytes, or out filled

K/V cache pages (emzip.kv): trained tables and a codec for vLLM-layout caches
    tables = emzip.kv.Tables.train(caches) / Tables.load(path, dtype=, layout=); tables.save(path)
    codec = emzip.kv.KVCodec(tables, threads=None, checksum=False)
    codec.compress_blocks(cache, block_ids, layer) -> list of bytes (K, V of each block)
    codec.decompress_blocks(blobs, out=cache, block_ids=..., layer=...)    into the cache

dtypes: "bf16", "fp16", "fp32", "e4m3", "e5m2", "fp4", "bytes", the safetensors names ("BF16",
"F8_E4M3"...), torch and numpy dtypes. numpy has no bfloat16 or float8 and torch 1.13 no float8:
such tensors come back as integer views (uint16 / uint8; torch: int16 / uint8) of the same bits
whose attribute `emzip_dtype` names the real dtype ("BF16"); save_file reads it back.

threads: None or 1 runs on the calling thread, N on N threads of the library's pool, 0 on one
per processor. Every call releases the GIL, so Python threads also run in parallel. Up to two
decompression contexts are kept between calls, with their scratch memory (about 9 x the chunk
size per thread they last used), so that repeated loads do not fault it in again. Likewise the
memory of up to two loaded checkpoints of up to 256 MiB each is kept once their tensors are
freed, for the next load_file (new memory is slow to fault in: a 12.5 MB buffer took 33 ms
here against 4 ms to decode into it); release_buffers() hands it back to the system.

Untrusted input: every decoding call (decompress, load_file, safe_open, decompress_file) takes
max_size= (refuse data that declares more original bytes, before allocating anything for it)
and memory_limit= (bytes of working memory for the threads' buffers; default the smaller of
1 GiB and a quarter of RAM: fewer threads run, or a file whose chunks need more is refused).
Both raise emzip.Error with .status "limit".

out=: a writable C-contiguous buffer (numpy array, torch tensor, bytearray, memoryview, mmap)
of at least the decompressed size; exactly that many bytes are written at its start, nothing
beyond. Errors: emzip.Error (a ValueError; .status is the library's status name, e.g.
"checksum", .detail says more), TypeError for arguments of the wrong type (read-only or
non-contiguous buffers among them).
"""

from . import _core, _dtypes, kv
from ._core import Error, release_buffers
from ._files import as_buffer as _as_buffer
from ._files import compress_file, decompress_file, load_file, safe_open, save_file
from ._files import tagged_array as _tagged_array

__all__ = ["Error", "compress", "decompress", "frame_info", "save_file", "load_file",
           "safe_open", "compress_file", "decompress_file", "release_buffers", "kv",
           "__version__"]
__version__ = _core.library_version


def compress(data, dtype=None, level=None, threads=None, chunk_size=None):
    """Compresses data (any C-contiguous buffer, or a CPU torch tensor) into one emzip frame of
    the given element type (a name, a torch or numpy dtype; None: the array's own dtype).

    level is accepted for compatibility with zstd-shaped code and must be None or an int: emzip
    has a single mode (its output does not depend on a level). chunk_size: bytes per chunk, a
    power of two from 4096 to 16 MiB (None: the type's default, 1 MiB for bf16 and float32,
    128 KiB for FP8 and bytes, 256 KiB for the others)."""
    if level is not None and (not isinstance(level, int) or isinstance(level, bool)):
        raise TypeError(f"level: expected an int or None, got {type(level).__name__}")
    kind = _dtypes.codec_type(dtype, data)
    if chunk_size is not None and (not isinstance(chunk_size, int) or isinstance(chunk_size, bool)):
        raise TypeError(f"chunk_size: expected an int or None, got {type(chunk_size).__name__}")
    return _core.compress(_as_buffer(data), kind, chunk_size=chunk_size or 0, threads=threads)


def decompress(data, out=None, threads=None, verify=True, max_size=None, memory_limit=None):
    """Decompresses one frame. Without out, returns bytes; with out (a writable C-contiguous
    buffer: numpy array, CPU torch tensor, bytearray...), fills its first original-size bytes
    and returns out. An out smaller than the data raises emzip.Error (status "dst_too_small");
    one whose element size does not match the frame's type (say float32 for BF16 data) too."""
    if out is not None:
        info = _core.frame_info(_as_buffer(data))
        _check_out_dtype(out, info["dtype"])
        target = _as_buffer(out, "out")
        _core.decompress(_as_buffer(data), target, threads=threads, verify=verify,
                         max_size=max_size, memory_limit=memory_limit)
        return out
    return _core.decompress(_as_buffer(data), threads=threads, verify=verify, max_size=max_size,
                            memory_limit=memory_limit)


_WIDTH = {"bf16": 2, "fp16": 2, "fp32": 4, "e4m3": 1, "e5m2": 1, "fp4": 1, "bytes": 1}


def _check_out_dtype(out, frame_type):
    """An out with a dtype of another width than the frame's elements is a mistake (byte-sized
    outs are always accepted: they are how raw buffers are passed)."""
    size = getattr(out, "itemsize", None)
    if _dtypes.is_torch_tensor(out):
        size = out.element_size()
    elif not hasattr(out, "dtype"):
        return
    if size not in (None, 1, _WIDTH[frame_type]):
        raise Error(f"out has {size}-byte elements ({out.dtype}) but the frame holds "
                    f"{frame_type} ({_WIDTH[frame_type]} bytes each)")


def frame_info(data):
    """The header of a frame: dtype, format_version, element_count, original_size, chunk_size,
    chunk_count."""
    return _core.frame_info(_as_buffer(data))
