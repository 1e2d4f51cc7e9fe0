"""Bad input: each raises emzip.Error or TypeError naming the problem; nothing is written to
out= beyond its size, and the process never crashes."""

import os

import numpy as np
import pytest

import emzip

import torch  # a test requirement (scripts/install-deps.sh): a missing torch fails, not skips

DATA = np.random.default_rng(7).standard_normal(100_000).astype(np.float32)
FRAME = emzip.compress(DATA, "fp32", chunk_size=65536)


def test_error_is_a_value_error_with_the_status():
    with pytest.raises(ValueError) as info:
        emzip.decompress(b"not an emzip frame at all, not at all, not at all")
    assert isinstance(info.value, emzip.Error)
    assert info.value.status == "not_emzip" and info.value.code == 4
    assert "magic" in str(info.value)


def test_truncated_frames():
    for size in (0, 5, 31, 32, 100, len(FRAME) // 2, len(FRAME) - 1):
        with pytest.raises(emzip.Error) as info:
            emzip.decompress(FRAME[:size])
        assert info.value.status in ("truncated", "corrupt", "not_emzip")


def test_corrupted_frames():
    rng = np.random.default_rng(8)
    failures = 0
    for position in rng.integers(0, len(FRAME), 200):
        bad = bytearray(FRAME)
        bad[position] ^= 1 << int(rng.integers(0, 8))
        try:
            out = emzip.decompress(bad)
        except emzip.Error as e:
            failures += 1
            assert e.status in ("corrupt", "checksum", "truncated", "not_emzip",
                                "unsupported_version")
        else:
            assert out == DATA.tobytes()  # a flip the format does not see cannot change data
    assert failures > 150


def test_wrong_argument_types():
    with pytest.raises(TypeError, match="data"):
        emzip.compress(12, "bf16")
    with pytest.raises(TypeError, match="dtype"):
        emzip.compress(b"abcd", 3.5)
    with pytest.raises(emzip.Error, match="unknown dtype"):
        emzip.compress(b"abcd", "bf17")
    with pytest.raises(TypeError, match="dtype"):
        emzip.compress(b"abcd")  # bytes carry no dtype
    with pytest.raises(TypeError, match="threads"):
        emzip.decompress(FRAME, threads="2")
    with pytest.raises(emzip.Error, match="threads"):
        emzip.decompress(FRAME, threads=-1)
    with pytest.raises(TypeError, match="not C-contiguous"):
        emzip.compress(np.zeros((64, 64), np.float32)[:, ::2])
    with pytest.raises(TypeError, match="not contiguous"):
        emzip.compress(torch.zeros(64, 64).t())
    with pytest.raises(emzip.Error, match="chunk_size"):
        emzip.compress(DATA, chunk_size=1000)


def test_out_wrong_size_type_and_read_only():
    sentinel = b"\xcd" * 64
    small = bytearray(sentinel + bytes(DATA.nbytes - 1) + sentinel)
    view = memoryview(small)[64:-64]
    with pytest.raises(emzip.Error) as info:
        emzip.decompress(FRAME, out=view)
    assert info.value.status == "dst_too_small"
    assert small[:64] == sentinel and small[-64:] == sentinel and not any(view)
    with pytest.raises(TypeError, match="read-only"):
        emzip.decompress(FRAME, out=bytes(DATA.nbytes))
    readonly = np.empty_like(DATA)
    readonly.flags.writeable = False
    with pytest.raises(TypeError, match="read-only"):
        emzip.decompress(FRAME, out=readonly)
    with pytest.raises(TypeError, match="writable buffer"):
        emzip.decompress(FRAME, out=[0] * DATA.size)
    with pytest.raises(TypeError, match="not C-contiguous"):
        emzip.decompress(FRAME, out=np.empty((DATA.size, 2), np.float32)[:, 0])
    with pytest.raises(emzip.Error, match="2-byte elements"):
        emzip.decompress(FRAME, out=np.empty(DATA.size * 2, np.float16))
    with pytest.raises(emzip.Error, match="dst_too_small|too small"):
        emzip.decompress(FRAME, out=torch.empty(10))
    with pytest.raises(TypeError, match="not contiguous"):
        emzip.decompress(FRAME, out=torch.empty(DATA.size, 2)[:, 0])


def test_corrupt_data_into_out_stays_within_out():
    bad = bytearray(FRAME)
    bad[len(bad) // 2] ^= 0xFF
    buf = np.full(DATA.nbytes + 4096, 0xEE, np.uint8)
    with pytest.raises(emzip.Error):
        emzip.decompress(bad, out=buf[:DATA.nbytes])
    assert (buf[DATA.nbytes:] == 0xEE).all()


def test_files_that_are_not_emzip(tmp_path):
    path = tmp_path / "x.emz"
    path.write_bytes(b"\0" * 1000)
    with pytest.raises(emzip.Error) as info:
        emzip.load_file(path)
    assert info.value.status in ("not_emzip", "truncated")
    with pytest.raises(emzip.Error):
        emzip.safe_open(path)
    with pytest.raises(emzip.Error):
        emzip.decompress_file(path, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    with pytest.raises(emzip.Error, match="No such file") as info:
        emzip.load_file(tmp_path / "missing.emz")
    assert info.value.status == "io"
    frame = tmp_path / "frame.emz"
    frame.write_bytes(FRAME)  # a frame, not a checkpoint
    with pytest.raises(emzip.Error, match="not a compressed safetensors"):
        emzip.load_file(frame)
    raw = tmp_path / "raw.bin"
    raw.write_bytes(b"hello" * 100)
    with pytest.raises(emzip.Error, match="not a safetensors file"):
        emzip.compress_file(raw)


def test_max_size_refuses_before_allocating(tmp_path):
    # a frame of 40 MB of zeros is a few hundred bytes: max_size refuses it before the output
    # is allocated; memory_limit below one thread's buffers refuses it too
    zeros = np.zeros(40_000_000 // 2, dtype=np.uint16)
    frame = emzip.compress(zeros, "bf16", chunk_size=16 << 20)
    assert len(frame) < 1000
    with pytest.raises(emzip.Error) as info:
        emzip.decompress(frame, max_size=1 << 20)
    assert info.value.status == "limit" and "declares 40000000 bytes" in str(info.value)
    small = emzip.compress(DATA, "fp32")
    assert emzip.decompress(small, max_size=DATA.nbytes) == DATA.tobytes()
    with pytest.raises(emzip.Error) as info:
        emzip.decompress(frame, out=np.empty(40_000_000, np.uint8), memory_limit=64 << 20)
    assert info.value.status == "limit" and "memory limit is 64 MiB" in str(info.value)
    with pytest.raises(ValueError):
        emzip.decompress(small, max_size=0)
    with pytest.raises(TypeError):
        emzip.decompress(small, memory_limit="1G")


def test_checkpoint_limits(tmp_path, sample_files):
    path = tmp_path / "m.emz"
    emzip.compress_file(sample_files[0], path)
    size = os.path.getsize(sample_files[0])
    with pytest.raises(emzip.Error) as info:
        emzip.load_file(path, framework="np", max_size=size - 1)
    assert info.value.status == "limit"
    with pytest.raises(emzip.Error) as info:
        emzip.safe_open(path, framework="np", max_size=size - 1)
    assert info.value.status == "limit"
    with pytest.raises(emzip.Error) as info:
        emzip.decompress_file(path, tmp_path / "out.safetensors", max_size=size - 1)
    assert info.value.status == "limit" and not (tmp_path / "out.safetensors").exists()
    assert len(emzip.load_file(path, framework="np", max_size=size, memory_limit=64 << 20)) > 0
    # torch tensors on the CPU take load_file's one C call (load.c): the same limits apply
    with pytest.raises(emzip.Error) as info:
        emzip.load_file(path, max_size=size - 1)
    assert info.value.status == "limit"
    with pytest.raises(emzip.Error) as info:
        emzip.load_file(path, memory_limit=1 << 16)
    assert info.value.status == "limit"
    with pytest.raises(TypeError):
        emzip.load_file(path, threads="2")
    assert len(emzip.load_file(path, max_size=size, memory_limit=64 << 20, threads=2)) > 0
