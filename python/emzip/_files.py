"""Checkpoints: save_file, load_file, safe_open, compress_file, decompress_file."""

import json
import os
import stat
import tempfile

from . import _core, _dtypes

_ALIGN = 8  # safetensors pads its header to 8 bytes, so every tensor starts aligned


def as_buffer(obj, what="data"):
    """A buffer-protocol object for the C layer: torch CPU tensors become numpy views of their
    bytes (torch has no buffer protocol); everything else goes as it is (the C layer checks)."""
    if _dtypes.is_torch_tensor(obj):
        if obj.device.type != "cpu":
            raise TypeError(f"{what}: the tensor is on {obj.device}; emzip reads CPU memory")
        if not obj.is_contiguous():
            raise TypeError(f"{what}: the tensor is not contiguous (use .contiguous())")
        # bfloat16 has no numpy dtype: the bytes are viewed as uint8 (no copy).
        import torch

        return obj.reshape(-1).view(torch.uint8).numpy()
    return obj


def _open_base(base):
    """A delta's base for the C layer (_core: Reader, buffer or file descriptor): a path to the
    base checkpoint, as safetensors (mapped read-only) or compressed (.emz, opened as a Reader);
    an emzip Reader, a file descriptor or a buffer of the base's bytes (bytes are data, not a
    path) goes as it is. None stays None."""
    if base is None or isinstance(base, (_core.Reader, int)):
        return base
    if isinstance(base, (str, os.PathLike)):
        import mmap

        path = os.fspath(base)
        if os.path.isdir(path):
            raise _core.Error(f"base {path!r} is a directory: give the base of each file")
        with open(path, "rb") as f:
            if f.read(4) == b"\x89EMC":
                return _core.Reader(os.fsdecode(path))
            if os.fstat(f.fileno()).st_size == 0:
                return b""
            return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    return as_buffer(base, "base")


def _shard_base(base, name):
    """The base of shard `name` in a base directory: the file of that name (without .emz),
    else with .emz; a base that is no directory is every file's."""
    if base is None or not isinstance(base, (str, os.PathLike)):
        return base
    base = os.fspath(base)
    if not os.path.isdir(base):
        return base
    stem = name[:-4] if name.endswith(".emz") else name
    for candidate in (stem, stem + ".emz"):
        if os.path.exists(os.path.join(base, candidate)):
            return os.path.join(base, candidate)
    raise _core.Error(f"no base for {name} in {base!r} (looked for {stem} and {stem}.emz)")


def _writable_temp(path):
    """An open temporary file beside path, renamed onto it once complete (so a failure never
    leaves a partial output)."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, temp = tempfile.mkstemp(prefix=".emzip-", dir=directory)
    return fd, temp


def _write_atomically(path, produce, like=None):
    """Writes path through a temporary file: produce(fd) fills it; it is synced to disk, given
    its mode (like's mode, owner where permitted, and times, as the CLI keeps its input's; else
    0666 less the umask), renamed into place and its directory synced, so that a crash leaves
    path absent or complete."""
    fd, temp = _writable_temp(path)
    try:
        produce(fd)
        if like is not None:
            try:
                os.fchown(fd, like.st_uid, like.st_gid)
            except PermissionError:
                pass  # another user's file: ours to own
            os.fchmod(fd, stat.S_IMODE(like.st_mode))
            os.utime(fd, ns=(like.st_atime_ns, like.st_mtime_ns))
        else:
            os.fchmod(fd, 0o666 & ~_umask())
        os.fsync(fd)
        os.close(fd)
        fd = -1
        os.replace(temp, path)
    except BaseException:
        if fd >= 0:
            os.close(fd)
        os.unlink(temp)
        raise
    directory = os.open(os.path.dirname(os.path.abspath(path)), os.O_RDONLY)
    try:
        os.fsync(directory)
    except OSError:
        pass  # some file systems cannot sync a directory; the file itself is synced
    finally:
        os.close(directory)


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _safetensors_bytes(tensors, metadata):
    """The safetensors file of tensors, in memory: the header, then the data in the order
    safetensors writes it (larger elements first, then by name)."""
    if not isinstance(tensors, dict):
        raise TypeError(f"tensors: expected a dict of name -> tensor, got {type(tensors).__name__}")
    if metadata is not None and (not isinstance(metadata, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in metadata.items())):
        raise TypeError("metadata: expected a dict of str -> str")
    entries = []
    for name, tensor in tensors.items():
        if not isinstance(name, str):
            raise TypeError(f"tensors: names must be str, got {type(name).__name__}")
        dtype = _dtypes.st_dtype_of(tensor)
        data = memoryview(as_buffer(tensor, f"tensors[{name!r}]"))
        if not data.c_contiguous:
            raise TypeError(f"tensors[{name!r}]: the array is not C-contiguous")
        # cast() refuses empty shapes: an empty tensor's bytes are b"".
        data = data.cast("B") if data.nbytes else memoryview(b"")
        shape = list(tensor.shape)
        entries.append((-_dtypes.itemsize(dtype), name, dtype, shape, data))
    entries.sort(key=lambda e: (e[0], e[1]))
    header, offset = {}, 0
    if metadata is not None:
        header["__metadata__"] = metadata
    for _, name, dtype, shape, data in entries:
        header[name] = {"dtype": dtype, "shape": shape,
                        "data_offsets": [offset, offset + data.nbytes]}
        offset += data.nbytes
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-(8 + len(text)) % _ALIGN)
    out = bytearray(8 + len(text) + offset)
    out[:8] = len(text).to_bytes(8, "little")
    out[8:8 + len(text)] = text
    position = 8 + len(text)
    for *_, data in entries:
        out[position:position + data.nbytes] = data
        position += data.nbytes
    return out


def save_file(tensors, path, metadata=None, threads=None, base=None):
    """Writes tensors (a dict of name -> torch tensor or numpy array) to path as an emzip
    container; `emzip decompress` turns it into a valid safetensors file. The safetensors bytes
    are assembled in memory (one copy of the data), then compressed straight to the file.

    base: a base checkpoint (a path to its .safetensors or .emz, or its bytes) to store the
    tensors against (a delta, as `emzip compress --base`): each tensor with a tensor of the same
    name, dtype and shape in the base is stored as its difference from it, or as a reference
    when unchanged. The file then loads only with the same base (load_file(..., base=))."""
    data = _safetensors_bytes(tensors, metadata)
    base = _open_base(base)
    _write_atomically(path, lambda fd: _core.compress_safetensors(data, fd, threads=threads,
                                                                  base=base))


def _torch_from_dlpack():
    """torch's maker of a tensor from a DLPack capsule. torch.from_dlpack first asks the object
    for __dlpack__, an AttributeError raised and caught per tensor that cost a capsule ~0.6 us
    (torch 1.13); its C function, where this torch has it, takes the capsule directly."""
    import torch

    return getattr(torch._C, "_from_dlpack", None) or torch.from_dlpack


class safe_open:
    """Opens an emzip container of a safetensors checkpoint, as safetensors.safe_open does:

        with emzip.safe_open("model.safetensors.emz", framework="pt") as f:
            for name in f.keys():
                t = f.get_tensor(name)   # reads and decodes only this tensor's chunks

    framework: "pt" (torch tensors) or "np" (numpy arrays). device: a torch device for "pt".
    """

    def __init__(self, path, framework="pt", device="cpu", max_size=None, memory_limit=None,
                 base=None):
        if framework not in ("pt", "torch", "np", "numpy"):
            raise _core.Error(f"framework must be 'pt' or 'np', got {framework!r}")
        self._torch = framework in ("pt", "torch")
        if not self._torch and str(device) != "cpu":
            raise _core.Error("numpy arrays live on the CPU: device must be 'cpu'")
        self._device = "cpu" if str(device) == "cpu" else device
        # A path only (str, bytes or os.PathLike): the Reader would take bytes for the data.
        self._reader = _core.Reader(os.fsdecode(path), max_size=max_size,
                                    memory_limit=memory_limit)
        info = self._reader.info()
        if not info["is_safetensors"]:
            self._reader.close()
            raise _core.Error(f"{os.fspath(path)!r} is not a compressed safetensors checkpoint")
        if base is not None and info["is_delta"]:
            try:
                self._reader.set_base(_open_base(base))
            except BaseException:
                self._reader.close()
                raise
            info = self._reader.info()  # a header shared with the base is read now
        if info["tensors_need_base"]:
            self._reader.close()
            raise _core.Error(f"{os.fspath(path)!r} is a delta whose safetensors header is its "
                              "base's: give base= to read its tensors")
        self._size = info["original_size"]
        self._count = info["tensor_count"]
        self._table = None
        self._header = None

    @property
    def _tensors(self):
        """name -> (index, dtype, shape, offset, size), in the order of the data. Made on first
        use: load_file into torch does without it (~30 us for 127 tensors)."""
        if self._table is None:
            table = {}
            for i in range(self._count):
                name, dtype, _, shape, offset, size, _ = self._reader.tensor(i)
                table[name] = (i, dtype, shape, offset, size)
            self._table = table
        return self._table

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self._reader.close()

    def keys(self):
        """The tensor names, sorted (as safetensors gives them)."""
        return sorted(self._tensors)

    def offset_keys(self):
        """The tensor names in the order of their data in the file."""
        return list(self._tensors)

    def _header_json(self):
        if self._header is None:
            length = int.from_bytes(self._reader.read(0, 8), "little")
            self._header = json.loads(self._reader.read(8, length))
        return self._header

    def metadata(self):
        """The header's __metadata__ (a dict of str), or None."""
        return self._header_json().get("__metadata__")

    def get_dtype(self, name):
        """The tensor's safetensors dtype, e.g. "BF16"."""
        return self._entry(name)[1]

    def _entry(self, name):
        try:
            return self._tensors[name]
        except KeyError:
            raise KeyError(f"no tensor named {name!r}") from None

    def get_tensor(self, name, threads=None):
        """One tensor, reading only its own chunks (and decoding them on `threads`)."""
        index, dtype, shape, _, size = self._entry(name)
        raw = self._empty(size)
        self._reader.read_tensor(index, 0, size, out=self._out_view(raw), threads=threads)
        return self._typed(raw, dtype, shape)

    def get_slice(self, name):
        """A lazy view of a tensor: get_slice(name)[a:b] decodes only the chunks holding rows
        a..b of its first dimension (further indices apply to what was read)."""
        return _Slice(self, name)

    def _load_all(self, threads):
        """Every tensor: the whole file decoded into one buffer, each tensor a view of it. (CPU
        torch tensors that DLPack carries are load_file's one C call, load.c.)"""
        whole = self._empty(self._size, whole_file=True)
        raw = self._out_view(whole)
        self._reader.read(0, self._size, out=raw, threads=threads)
        entries = self._tensors.items()
        if self._torch and self._device == "cpu":
            typed = self._typed_all(whole, entries)
            if typed is not None:
                return typed
        if self._torch:
            # One split call makes every view (a torch slice costs microseconds each, which
            # add up over thousands of tensors): pieces alternate gap, tensor, in file order.
            sizes, position = [], 0
            for _, (_, _, _, offset, size) in entries:
                sizes += [offset - position, size]
                position = offset + size
            sizes.append(self._size - position)
            pieces = whole.split(sizes)[1::2]
        else:
            pieces = [whole[offset:offset + size] for _, (_, _, _, offset, size) in entries]
        return {name: self._typed(piece, dtype, shape)
                for (name, (_, dtype, shape, _, _)), piece in zip(entries, pieces)}

    def _typed_all(self, whole, entries):
        """The common case in one pass: every tensor of one dtype that torch has, each aligned
        to its element size. The data is viewed as that dtype once and split into the tensors
        (one torch call a tensor fewer than slicing bytes then viewing each: ~1.2 us a tensor,
        a third of the Python layer's cost on a checkpoint of 127 tensors). None otherwise."""
        dtypes = {dtype for _, (_, dtype, _, _, _) in entries}
        if len(dtypes) != 1:
            return None
        (dtype,) = dtypes
        if dtype == "F4" or dtype not in _dtypes._TABLE:
            return None
        torch_type, tagged, size = _dtypes.torch_dtype(dtype)
        start = min((offset for _, (_, _, _, offset, _) in entries), default=0)
        end = max((offset + n for _, (_, _, _, offset, n) in entries), default=0)
        if tagged or start % size or end <= start or any(
                (offset - start) % size or n % size for _, (_, _, _, offset, n) in entries):
            return None
        data = whole[start:end].view(torch_type)
        sizes, position = [], 0
        for _, (_, _, _, offset, n) in entries:
            sizes += [(offset - start) // size - position, n // size]
            position = (offset - start + n) // size
        sizes.append(data.numel() - position)
        pieces = data.split(sizes)[1::2]
        return {name: piece.view(shape) for (name, (_, _, shape, _, _)), piece in
                zip(entries, pieces)}

    def _empty(self, size, whole_file=False):
        import numpy as np

        # A whole file goes into a LoadBuffer (load_buffer.c: its pages are kept for the next
        # load, whichever thread makes it); a tensor into numpy's memory, for torch as well:
        # glibc's heap reuses pages already mapped, where torch.empty maps fresh ones for large
        # sizes, whose page faults cost ~20% of a load.
        if whole_file:
            raw = np.frombuffer(_core.LoadBuffer(size), dtype=np.uint8)
        else:
            raw = np.empty(size, dtype=np.uint8)
        if self._torch:
            import torch

            return torch.from_numpy(raw)
        return raw

    def _out_view(self, raw):
        return raw.numpy() if self._torch else raw

    def _typed(self, raw, dtype, shape):
        """raw (uint8, 1-D) as the tensor it holds. Kept lean: load_file calls it per tensor."""
        flat = dtype == "F4" or dtype not in _dtypes._TABLE  # packed or unknown: the bytes
        if self._torch:
            if flat:
                t, tagged = raw, True
            else:
                torch_type, tagged, size = _dtypes.torch_dtype(dtype)
                if raw.numel() == 0:  # numpy's empty arrays have strides view() refuses
                    import torch

                    raw = torch.empty(0, dtype=torch.uint8)
                elif raw.storage_offset() % size:
                    raw = raw.clone()  # a view of another element size must start aligned
                t = raw.view(torch_type).reshape(shape)
            if tagged:
                t.emzip_dtype = dtype
            return t if self._device == "cpu" else t.to(self._device)
        if flat:
            a = raw
        else:
            a = raw.view(_dtypes.numpy_dtype(dtype)).reshape(shape)
        if dtype in _dtypes.NUMPY_TAGGED:
            a = a.view(tagged_array())
            a.emzip_dtype = dtype
        return a


class _Slice:
    """What safe_open.get_slice returns: get_shape(), get_dtype(), and [index] where index is
    an int or a slice with a positive step on the first dimension, then anything further."""

    def __init__(self, f, name):
        self._f, self._name = f, name
        self._index, self._dtype, self._shape, _, self._size = f._entry(name)

    def get_shape(self):
        return list(self._shape)

    def get_dtype(self):
        return self._dtype

    def __getitem__(self, key):
        key = key if isinstance(key, tuple) else (key,)
        first, rest = (key[0], key[1:]) if key else (slice(None), ())
        packed = self._dtype == "F4" or self._dtype not in _dtypes._TABLE
        if not self._shape or packed:
            raise _core.Error(f"{self._name!r} ({self._dtype}, shape {list(self._shape)}) has "
                              "no rows to slice: use get_tensor")
        rows = self._shape[0]
        if isinstance(first, int):
            start = first + rows if first < 0 else first
            if not 0 <= start < rows:
                raise IndexError(f"index {first} is out of range for {rows} rows")
            stop, step = start + 1, 1
        elif isinstance(first, slice):
            start, stop, step = first.indices(rows)
            if step < 1:
                raise _core.Error("get_slice: only positive steps")
            stop = max(start, stop)
        else:
            raise TypeError(f"get_slice: expected an int or a slice, got {type(first).__name__}")
        row_bytes = _dtypes.itemsize(self._dtype)
        for n in self._shape[1:]:
            row_bytes *= n
        raw = self._f._empty((stop - start) * row_bytes)
        self._f._reader.read_tensor(self._index, start * row_bytes, (stop - start) * row_bytes,
                                    out=self._f._out_view(raw))
        t = self._f._typed(raw, self._dtype, (stop - start,) + tuple(self._shape[1:]))
        if isinstance(first, int):
            return t[0][rest] if rest else t[0]
        t = t[::step]
        return t[(slice(None),) + rest] if rest else t


_TAGGED_ARRAY = []


def tagged_array():
    """The TaggedArray class, made on first use so that `import emzip` does not import numpy."""
    if _TAGGED_ARRAY:
        return _TAGGED_ARRAY[0]
    import numpy as np

    class TaggedArray(np.ndarray):
        """A numpy array of a dtype numpy lacks (BF16, FP8, FP4) held as an integer view;
        .emzip_dtype names the real dtype ("BF16", "F8_E4M3"...)."""

        def __array_finalize__(self, obj):
            self.emzip_dtype = getattr(obj, "emzip_dtype", None)

    _TAGGED_ARRAY.append(TaggedArray)
    return TaggedArray


def load_file(path, device="cpu", framework="pt", threads=None, max_size=None,
              memory_limit=None, base=None):
    """Every tensor of a compressed checkpoint, as a dict name -> tensor (torch for "pt", numpy
    for "np"). The file is decoded into one buffer (on `threads` threads: None or 1 the calling
    thread, 0 one per processor) and each tensor is a view of it. max_size= refuses a file
    declaring more original bytes, memory_limit= bounds the threads' buffers (emzip.Error,
    status "limit"). base: the base checkpoint a delta was saved against (a path to its
    .safetensors or .emz, or its bytes); a delta read without it, or with another, raises
    emzip.Error (status "wrong_base") naming the tensor and the base digest it needs."""
    base = _open_base(base)
    if framework in ("pt", "torch") and str(device) == "cpu":
        # One C call (load.c) where DLPack carries every tensor: the common case.
        tensors = _core.load_torch(os.fspath(path), _torch_from_dlpack(), threads, max_size,
                                   memory_limit, base)
        if tensors is not None:
            return tensors
    with safe_open(path, framework=framework, device=device, max_size=max_size,
                   memory_limit=memory_limit, base=base) as f:
        return f._load_all(threads)


def _shard_names(directory):
    return sorted(n for n in os.listdir(directory)
                  if n.endswith(".safetensors") or n.endswith(".safetensors.index.json"))


def compress_file(src, dst=None, dtype=None, threads=None, chunk_size=None, base=None):
    """Compresses a file as the CLI does (`emzip compress`), to the same bytes: a safetensors
    checkpoint into a container, or, with dtype, any file into one frame of that type. dst
    defaults to src + ".emz". A directory is a sharded checkpoint: each *.safetensors and
    *.safetensors.index.json in it is compressed, into dst (a directory) or beside it. Each
    output keeps its input's mode, times and (where permitted) owner, as the CLI's do, and is
    synced to disk before it gets its name. Returns the output path (for a directory, the list
    of them). base: as `emzip compress --base`, a base checkpoint (.safetensors or .emz; for a
    directory, a directory holding each shard's base under the same name)."""
    src = os.fspath(src)
    if os.path.isdir(src):
        if dtype is not None:
            raise _core.Error(f"{src} is a directory: its shards are typed from their headers")
        out_dir = src if dst is None else os.fspath(dst)
        os.makedirs(out_dir, exist_ok=True)
        return [compress_file(os.path.join(src, n), os.path.join(out_dir, n + ".emz"),
                              "bytes" if n.endswith(".json") else None, threads, chunk_size,
                              None if n.endswith(".json") else _shard_base(base, n))
                for n in _shard_names(src)]
    dst = src + ".emz" if dst is None else os.fspath(dst)
    options = {"threads": threads, "chunk_size": chunk_size or 0}
    with open(src, "rb") as f:
        fd = f.fileno()
        if dtype is None:
            start = os.pread(fd, 16, 0)
            if not _core.is_safetensors(start, os.fstat(fd).st_size) and not src.endswith(
                    ".safetensors"):
                raise _core.Error(f"{src}: not a safetensors file; give dtype= to compress raw "
                                  "tensor data")
            options["base"] = _open_base(_shard_base(base, os.path.basename(src)))
            _write_atomically(dst, lambda out: _core.compress_safetensors(fd, out, **options),
                              like=os.fstat(fd))
        else:
            kind = _dtypes.codec_type(dtype)
            _write_atomically(dst, lambda out: _core.compress_stream(fd, out, kind, **options),
                              like=os.fstat(fd))
    return dst


def decompress_file(src, dst=None, threads=None, verify=True, max_size=None, memory_limit=None,
                    base=None):
    """Restores a compressed file as `emzip decompress` does (the identical original bytes).
    dst defaults to src without its ".emz". A directory: each *.emz in it, into dst or beside.
    Returns the output path (for a directory, the list of them). base: a delta's base
    checkpoint, as for compress_file."""
    src = os.fspath(src)
    if os.path.isdir(src):
        out_dir = src if dst is None else os.fspath(dst)
        os.makedirs(out_dir, exist_ok=True)
        return [decompress_file(os.path.join(src, n), os.path.join(out_dir, n[:-4]), threads,
                                verify, max_size, memory_limit, base)
                for n in sorted(os.listdir(src)) if n.endswith(".emz")]
    if dst is None:
        if not src.endswith(".emz"):
            raise _core.Error(f"{src}: no .emz suffix; give dst=")
        dst = src[:-4]
    dst = os.fspath(dst)
    reader = _core.Reader(os.fsdecode(src), max_size=max_size, memory_limit=memory_limit)
    try:
        if base is not None and reader.info()["is_delta"]:
            reader.set_base(_open_base(_shard_base(base, os.path.basename(src))))
        _write_atomically(dst, lambda out: reader.decompress_to(out, threads=threads,
                                                                verify=verify),
                          like=os.stat(src))
    finally:
        reader.close()
    return dst
