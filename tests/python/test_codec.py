"""compress/decompress round trips of every element type, bit for bit, and out=."""

import numpy as np
import pytest

import emzip

import torch  # a test requirement (scripts/install-deps.sh): a missing torch fails, not skips


def all_patterns_16():
    # Every 16-bit pattern (NaN payloads, infinities, subnormals, -0), shuffled after an
    # ordered copy so that both orders are covered.
    ordered = np.arange(1 << 16, dtype=np.uint16)
    return np.concatenate([ordered, np.random.default_rng(1).permutation(ordered)])


@pytest.mark.parametrize("dtype", ["bf16", "fp16", "BF16", "F16"])
def test_every_16_bit_pattern(dtype):
    bits = all_patterns_16()
    frame = emzip.compress(bits, dtype)
    assert emzip.frame_info(frame)["element_count"] == bits.size
    back = np.frombuffer(emzip.decompress(frame), dtype=np.uint16)
    assert np.array_equal(back, bits)


@pytest.mark.parametrize("dtype", ["e4m3", "e5m2", "fp4", "bytes", "F8_E4M3", "F8_E5M2"])
def test_every_byte_pattern(dtype):
    rng = np.random.default_rng(2)
    data = np.concatenate([np.arange(256, dtype=np.uint8).repeat(37),
                           rng.integers(0, 256, 100_003, dtype=np.uint8)])
    assert emzip.decompress(emzip.compress(data, dtype)) == data.tobytes()


def test_fp32_random_bits_and_nans():
    rng = np.random.default_rng(3)
    bits = rng.integers(0, 1 << 32, 300_001, dtype=np.uint32)
    bits[::7] = 0x7FC00001 + np.arange(bits[::7].size, dtype=np.uint32) % 1000  # NaN payloads
    weights = rng.standard_normal(200_000).astype(np.float32)
    for data in (bits, weights):
        assert emzip.decompress(emzip.compress(data, "fp32")) == data.tobytes()


@pytest.mark.parametrize("torch_dtype", ["bfloat16", "float16", "float32"])
def test_torch_tensors(torch_dtype):
    t = torch.randn(513, 257).to(getattr(torch, torch_dtype))
    frame = emzip.compress(t)  # dtype from the tensor
    assert emzip.frame_info(frame)["dtype"] == {"bfloat16": "bf16", "float16": "fp16",
                                                "float32": "fp32"}[torch_dtype]
    out = torch.empty_like(t)
    assert emzip.decompress(frame, out=out, threads=2) is out
    assert torch.equal(out.view(torch.uint8), t.view(torch.uint8))


def test_buffer_kinds_and_sizes():
    data = np.random.default_rng(4).standard_normal(70_000).astype(np.float16)
    raw = data.tobytes()
    frames = {emzip.compress(x, "fp16") for x in (raw, bytearray(raw), memoryview(raw), data)}
    assert len(frames) == 1  # the same bytes whatever the buffer type
    for size in (0, 1, 3, 4095, 4097):
        assert emzip.decompress(emzip.compress(raw[:size], "fp16")) == raw[:size]
    # new outputs from 4 MiB have their inner 2 MiB pages advised for huge pages (buffers.c):
    # sizes about the thresholds, and one that ends mid-page
    big = np.random.default_rng(6).standard_normal(5_000_000).astype(np.float16).tobytes()
    for size in ((4 << 20) - 2, 4 << 20, (6 << 20) + 2, len(big)):
        frame = emzip.compress(big[:size], "fp16")
        assert emzip.decompress(frame) == big[:size]
        reader = emzip._core.Reader(frame)
        assert reader.read(0, size) == big[:size]
        reader.close()


def test_threads_and_chunk_size_keep_the_bytes():
    data = np.random.default_rng(5).standard_normal(600_000).astype(np.float32)
    one = emzip.compress(data, "fp32", threads=1)
    assert emzip.compress(data, "fp32", threads=2) == one
    assert emzip.compress(data, "fp32", threads=0) == one
    small = emzip.compress(data, "fp32", chunk_size=4096)
    assert emzip.frame_info(small)["chunk_size"] == 4096
    assert emzip.decompress(small, threads=2) == data.tobytes()


def test_out_numpy_bytearray_and_larger():
    data = np.random.default_rng(6).standard_normal(50_000).astype(np.float32)
    frame = emzip.compress(data)
    out = np.empty_like(data)
    emzip.decompress(frame, out=out)
    assert np.array_equal(out, data)
    # A larger out: the first bytes are written, the rest is left as it was.
    big = bytearray(b"\xab" * (data.nbytes + 100))
    emzip.decompress(frame, out=big)
    assert big[:data.nbytes] == data.tobytes() and big[data.nbytes:] == b"\xab" * 100
    view = memoryview(big)[10:10 + data.nbytes]
    emzip.decompress(frame, out=view)
    assert bytes(view) == data.tobytes()
    assert emzip.decompress(frame, out=np.empty(data.nbytes, np.uint8)).tobytes() == data.tobytes()


def test_level_is_accepted_and_ignored():
    data = np.ones(1000, np.float32)
    assert emzip.compress(data, level=19) == emzip.compress(data)
    with pytest.raises(TypeError):
        emzip.compress(data, level="max")


def test_older_and_streamed_frames_decode():
    """Committed frames of every format version (tests/data/v1..v4; v4: streamed frames, whose
    sizes are at their end) decode through frame_info and decompress."""
    from conftest import SAMPLE

    seen = set()
    for version in ("v1", "v2", "v3", "v4"):
        for line in (SAMPLE / version / "MANIFEST").read_text().splitlines():
            name, original, _ = line.split()
            data = (SAMPLE / version / name).read_bytes()
            if data[3:4] != b"Z":
                continue  # containers: covered by the checkpoint tests
            info = emzip.frame_info(data)
            want = (SAMPLE / original).read_bytes()
            assert info["original_size"] == len(want), name
            assert bytes(emzip.decompress(data)) == want, name
            seen.add(info["format_version"])
    assert seen == {1, 2, 3, 4}, seen
