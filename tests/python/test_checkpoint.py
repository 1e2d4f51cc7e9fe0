"""Checkpoints: the sample (tests/data) through compress_file/decompress_file (the CLI's bytes),
load_file/save_file and safe_open, compared bit for bit with an independent parser."""

import pathlib
import shutil
import subprocess

import numpy as np
import pytest

import emzip
from conftest import raw_bytes, read_safetensors

import torch  # a test requirement (scripts/install-deps.sh): a missing torch fails, not skips


def test_compress_file_matches_the_cli(sample_files, cli, tmp_path):
    for src in sample_files:
        ours = emzip.compress_file(src, tmp_path / (src.name + ".emz"), threads=2)
        theirs = tmp_path / (src.name + ".cli.emz")
        subprocess.run([cli, "compress", "-q", "-o", str(theirs), str(src)], check=True)
        assert pathlib.Path(ours).read_bytes() == theirs.read_bytes(), src.name
        back = emzip.decompress_file(ours, tmp_path / src.name)
        assert pathlib.Path(back).read_bytes() == src.read_bytes(), src.name
        restored = tmp_path / (src.name + ".cli")
        subprocess.run([cli, "decompress", "-q", "-o", str(restored), str(theirs)], check=True)
        assert restored.read_bytes() == src.read_bytes()


def test_raw_file_with_a_dtype_matches_the_cli(sample_files, cli, tmp_path):
    src = sample_files[0]
    ours = emzip.compress_file(src, tmp_path / "raw.emz", dtype="bf16")
    theirs = tmp_path / "raw.cli.emz"
    subprocess.run([cli, "compress", "-q", "-t", "bf16", "-o", str(theirs), str(src)], check=True)
    assert pathlib.Path(ours).read_bytes() == theirs.read_bytes()
    assert pathlib.Path(emzip.decompress_file(ours, tmp_path / "raw")).read_bytes() == src.read_bytes()


def test_sharded_directory(sample_files, tmp_path):
    shards = tmp_path / "model"
    shards.mkdir()
    for src in sample_files[:3]:
        shutil.copy(src, shards)
    (shards / "model.safetensors.index.json").write_text('{"weight_map": {}}')
    outputs = emzip.compress_file(shards, tmp_path / "packed")
    assert len(outputs) == 4
    restored = emzip.decompress_file(tmp_path / "packed", tmp_path / "restored")
    for path in restored:
        name = path.rsplit("/", 1)[1]
        assert pathlib.Path(path).read_bytes() == (shards / name).read_bytes()


@pytest.mark.parametrize("framework", ["pt", "np"])
def test_load_file_is_bit_exact(sample_files, tmp_path, framework):
    for src in sample_files:
        packed = emzip.compress_file(src, tmp_path / (src.name + ".emz"))
        expected, _ = read_safetensors(src)
        tensors = emzip.load_file(packed, framework=framework, threads=2)
        assert set(tensors) == set(expected)
        for name, (dtype, shape, data) in expected.items():
            t = tensors[name]
            assert raw_bytes(t) == data, (src.name, name)
            if dtype != "F4":
                assert tuple(t.shape) == shape
            if dtype in ("BF16", "F8_E4M3", "F8_E5M2", "F4") and framework == "np":
                assert t.emzip_dtype == dtype
        with emzip.safe_open(packed, framework=framework) as f:
            assert f.keys() == sorted(expected)
            for name in list(expected)[:20]:
                assert raw_bytes(f.get_tensor(name)) == expected[name][2]
                assert f.get_dtype(name) == expected[name][0]


def test_save_file_round_trip_through_the_cli(sample_files, cli, tmp_path):
    for src in sample_files:
        expected, meta = read_safetensors(src)
        tensors = emzip.load_file(emzip.compress_file(src, tmp_path / "in.emz"))
        out = tmp_path / (src.name + ".emz")
        emzip.save_file(tensors, out, metadata={"source": src.name})
        restored = tmp_path / "restored.safetensors"
        subprocess.run([cli, "decompress", "-q", "-f", "-o", str(restored), str(out)],
                       check=True)
        got, got_meta = read_safetensors(restored)
        assert got_meta == {"source": src.name}
        assert {n: (d, s) for n, (d, s, _) in got.items() if d != "F4"} == \
               {n: (d, s) for n, (d, s, _) in expected.items() if d != "F4"}
        assert {n: b for n, (_, _, b) in got.items()} == {n: b for n, (_, _, b) in
                                                          expected.items()}
        again = emzip.load_file(out, framework="np")
        assert all(raw_bytes(again[n]) == expected[n][2] for n in expected)


def test_save_file_of_numpy_and_torch(tmp_path):
    rng = np.random.default_rng(9)
    tensors = {
        "bf16": torch.randn(300, 200).bfloat16(),
        "f16": torch.randn(1000).half(),
        "f32": rng.standard_normal((64, 33)).astype(np.float32),
        "i64": np.arange(17),
        "scalar": torch.tensor(3.5),
        "empty": np.zeros((0, 4), np.float32),
    }
    emzip.save_file(tensors, tmp_path / "m.emz", metadata={"format": "pt"})
    back = emzip.load_file(tmp_path / "m.emz")
    for name, t in tensors.items():
        assert raw_bytes(back[name]) == raw_bytes(t), name
        assert tuple(back[name].shape) == tuple(t.shape)
    with emzip.safe_open(tmp_path / "m.emz", framework="pt") as f:
        assert f.metadata() == {"format": "pt"}
        assert f.get_tensor("bf16").dtype == torch.bfloat16
    with pytest.raises(TypeError):
        emzip.save_file({"x": [1, 2]}, tmp_path / "bad.emz")
    with pytest.raises(TypeError):
        emzip.save_file({"x": np.zeros(3)}, tmp_path / "bad.emz", metadata={"a": 1})
    assert not (tmp_path / "bad.emz").exists()


def _write_safetensors(path, entries):
    """A safetensors file laid out exactly as given: entries of (name, dtype, shape, offset,
    bytes), offsets into the data region (gaps and misaligned tensors allowed)."""
    import json

    header = {n: {"dtype": d, "shape": list(s), "data_offsets": [o, o + len(b)]}
              for n, d, s, o, b in entries}
    text = json.dumps(header).encode()
    text += b" " * (-(8 + len(text)) % 8)  # the data region starts 8-aligned, as safetensors'
    data = bytearray(max((o + len(b) for *_, o, b in entries), default=0))
    for *_, o, b in entries:
        data[o:o + len(b)] = b
    path.write_bytes(len(text).to_bytes(8, "little") + text + bytes(data))
    return path


def test_load_file_tensors_are_typed_owned_views(tmp_path):
    """load_file's torch tensors (DLPack views of one buffer where DLPack carries every dtype):
    torch's dtypes, shapes and strides, writable, each keeping the buffer alive on its own."""
    rng = np.random.default_rng(3)
    arrays = {
        "bf16": torch.randn(30, 20).bfloat16(),
        "f16": torch.randn(7, 3, 5).half(),
        "f32": torch.randn(64, 33),
        "f64": torch.randn(9).double(),
        "i8": torch.arange(-5, 6, dtype=torch.int8),
        "i16": torch.arange(100, dtype=torch.int16).reshape(4, 25),
        "i32": torch.arange(12, dtype=torch.int32),
        "i64": torch.arange(17),
        "u8": torch.from_numpy(rng.integers(0, 256, 31).astype(np.uint8)),
        "scalar": torch.tensor(3.5),
        "empty": torch.zeros(0, 4),
    }
    emzip.save_file(arrays, tmp_path / "m.emz")
    back = emzip.load_file(tmp_path / "m.emz")
    assert list(back) == list(emzip.safe_open(tmp_path / "m.emz").offset_keys())
    for name, t in arrays.items():
        got = back[name]
        assert got.dtype == t.dtype and got.shape == t.shape, name
        assert got.is_contiguous() and raw_bytes(got) == raw_bytes(t), name
    kept = back["f32"]
    back["bf16"].fill_(1.0)  # writable, and a write stays in its own tensor
    assert raw_bytes(back["f16"]) == raw_bytes(arrays["f16"])
    del back
    import gc

    gc.collect()
    _ = [np.ones(1 << 20) for _ in range(8)]  # reuse freed memory, if it was freed
    assert torch.equal(kept, arrays["f32"])


def test_load_file_of_misaligned_and_mixed_dtypes(tmp_path):
    """Tensors DLPack cannot carry (FP8, a BF16 tensor at an odd offset) come back right too."""
    bf16 = torch.randn(5, 3).bfloat16()
    f32 = torch.randn(4)
    fp8 = bytes(range(256))
    entries = [("odd", "U8", (1,), 0, b"\x07"),
               ("bf16", "BF16", (5, 3), 1, raw_bytes(bf16)),
               ("f32", "F32", (4,), 32, raw_bytes(f32))]
    for name, extra in (("misaligned", []),
                        ("fp8", [("fp8", "F8_E4M3", (16, 16), 48, fp8)])):
        src = _write_safetensors(tmp_path / f"{name}.safetensors", entries + extra)
        packed = emzip.compress_file(src, tmp_path / f"{name}.emz")
        reader = emzip._core.Reader(str(packed))
        capsules = reader.dlpack_tensors(np.zeros(reader.info()["original_size"], np.uint8))
        assert capsules["bf16"] is None and capsules["f32"] is not None  # the case under test
        with pytest.raises(ValueError, match="smaller than the checkpoint"):
            reader.dlpack_tensors(np.zeros(40, np.uint8))
        with pytest.raises((BufferError, TypeError)):
            reader.dlpack_tensors(bytes(reader.info()["original_size"]))
        reader.close()
        for framework in ("pt", "np"):
            back = emzip.load_file(packed, framework=framework)
            assert raw_bytes(back["bf16"]) == raw_bytes(bf16), (name, framework)
            assert raw_bytes(back["f32"]) == raw_bytes(f32), (name, framework)
            assert raw_bytes(back["odd"]) == b"\x07"
            if framework == "pt":
                assert back["bf16"].dtype == torch.bfloat16 and back["bf16"].shape == (5, 3)
            if extra:
                assert raw_bytes(back["fp8"]) == fp8 and back["fp8"].emzip_dtype == "F8_E4M3"


def test_get_tensor_reads_only_its_tensor(sample_files, tmp_path):
    # A byte flipped in the chunk payloads breaks the tensor it belongs to, and load_file, but
    # not the others: get_tensor reads only its own tensor's chunks (and directory, header).
    src = max(sample_files, key=lambda p: p.stat().st_size)
    packed = emzip.compress_file(src, tmp_path / "p.emz")
    expected, _ = read_safetensors(src)
    data = bytearray(pathlib.Path(packed).read_bytes())
    index_size = int.from_bytes(data[-8:-4], "little")
    payload_end = len(data) - 8 - index_size
    data[32 + (payload_end - 32) * 2 // 3] ^= 0x10
    (tmp_path / "bad.emz").write_bytes(data)
    with pytest.raises(emzip.Error):
        emzip.load_file(tmp_path / "bad.emz")
    intact, broken = 0, []
    with emzip.safe_open(tmp_path / "bad.emz", framework="np") as f:
        for name in f.keys():
            try:
                assert raw_bytes(f.get_tensor(name)) == expected[name][2]
                intact += 1
            except emzip.Error as e:
                broken.append(name)
                assert e.status == "checksum" or e.status == "corrupt"
                assert e.detail  # names the tensor or chunk
    assert len(broken) >= 1 and intact >= len(expected) - 2, broken


@pytest.mark.parametrize("framework", ["pt", "np"])
def test_get_slice(sample_files, tmp_path, framework):
    src = sample_files[0]
    packed = emzip.compress_file(src, tmp_path / "s.emz")
    full = emzip.load_file(packed, framework=framework)
    with emzip.safe_open(packed, framework=framework) as f:
        for name in f.keys():
            s = f.get_slice(name)
            assert s.get_dtype() == f.get_dtype(name)
            shape = s.get_shape()
            if not shape or s.get_dtype() == "F4":
                continue
            t = full[name]
            n = shape[0]
            for key in (slice(None), slice(1, n // 2 + 1), slice(n - 1, None), slice(0, n, 2),
                        0, -1, slice(5, 2)):
                assert raw_bytes(s[key]) == raw_bytes(t[key]), (name, key)
            if len(shape) > 1:
                assert raw_bytes(s[: n // 2, 0]) == raw_bytes(t[: n // 2, 0])


def test_outputs_keep_mode_and_times_as_the_cli_does(sample_files, cli, tmp_path):
    import os

    src = tmp_path / "m.safetensors"
    shutil.copyfile(sample_files[0], src)
    os.chmod(src, 0o640)
    os.utime(src, ns=(1_600_000_000_123_456_789, 1_500_000_000_987_654_321))
    ours = pathlib.Path(emzip.compress_file(src))
    theirs = tmp_path / "cli.emz"
    subprocess.run([cli, "compress", "-q", "-o", str(theirs), str(src)], check=True)
    for out in (ours, theirs):
        st = out.stat()
        assert (st.st_mode & 0o7777, st.st_mtime_ns) == (0o640, 1_500_000_000_987_654_321), out
    back = pathlib.Path(emzip.decompress_file(ours, tmp_path / "back.safetensors"))
    assert back.stat().st_mode & 0o7777 == 0o640
    assert back.stat().st_mtime_ns == ours.stat().st_mtime_ns
    assert back.read_bytes() == src.read_bytes()
