"""Deltas from Python: save_file / load_file / compress_file / decompress_file / safe_open with
base=, against the committed delta files of tests/data/delta-v4 and the CLI's bytes."""

import os
import pathlib
import shutil

import numpy as np
import pytest

import emzip

from conftest import SAMPLE, raw_bytes, read_safetensors

DELTA = SAMPLE / "delta-v4"
PAIRS = [("age.bf16.next.safetensors", "age.bf16.safetensors"),
         ("age.e4m3.next.safetensors", "age.e4m3.safetensors")]


@pytest.mark.parametrize("new, base", PAIRS)
@pytest.mark.parametrize("framework", ["pt", "np"])
def test_committed_delta_loads_with_its_base_in_every_form(new, base, framework, tmp_path):
    want, _ = read_safetensors(DELTA / new)
    emz = DELTA / (new[:-len(".safetensors")] + ".emz")
    packed = emzip.compress_file(SAMPLE / base, tmp_path / "base.emz")
    for given in (SAMPLE / base, str(SAMPLE / base), packed, (SAMPLE / base).read_bytes(),
                  emzip._core.Reader(str(packed))):
        got = emzip.load_file(emz, framework=framework, base=given)
        assert sorted(got) == sorted(want)
        for name, (_, shape, data) in want.items():
            assert raw_bytes(got[name]) == data, name
            assert tuple(got[name].shape) == shape


def test_without_the_base_or_with_another_it_names_what_it_needs(tmp_path):
    emz = DELTA / "age.bf16.next.emz"
    with pytest.raises(emzip.Error, match="no base was given") as e:
        emzip.load_file(emz)
    assert "digest" in str(e.value)
    with pytest.raises(emzip.Error, match="other bytes"):
        emzip.load_file(emz, base=SAMPLE / "selfie.bf16.safetensors")
    with pytest.raises(emzip.Error, match="other bytes"):
        emzip.decompress_file(emz, tmp_path / "x.safetensors",
                              base=SAMPLE / "selfie.bf16.safetensors")
    assert not (tmp_path / "x.safetensors").exists()  # never a wrong file
    with pytest.raises(TypeError, match="base must be"):
        emzip.load_file(emz, base=3.5)
    # a file that is no delta ignores base=
    plain = emzip.compress_file(SAMPLE / "age.bf16.safetensors", tmp_path / "plain.emz")
    assert len(emzip.load_file(plain, base=SAMPLE / "age.e4m3.safetensors")) == 23


def test_save_file_against_a_base_round_trips_and_is_smaller(tmp_path):
    base = SAMPLE / "age.bf16.safetensors"
    tensors = emzip.load_file(DELTA / "age.bf16.next.emz", framework="np", base=base)
    emzip.save_file(tensors, tmp_path / "alone.emz")
    emzip.save_file(tensors, tmp_path / "delta.emz", base=base)
    assert os.path.getsize(tmp_path / "delta.emz") < 0.6 * os.path.getsize(tmp_path / "alone.emz")
    back = emzip.load_file(tmp_path / "delta.emz", framework="np", base=base)
    for name, t in tensors.items():
        assert raw_bytes(back[name]) == raw_bytes(t)
    with emzip.safe_open(tmp_path / "delta.emz", framework="np", base=base) as f:
        name = sorted(f.keys())[3]
        assert raw_bytes(f.get_tensor(name)) == raw_bytes(tensors[name])


def test_compress_file_with_base_matches_the_cli(cli, tmp_path):
    import subprocess

    new, base = DELTA / "age.bf16.next.safetensors", SAMPLE / "age.bf16.safetensors"
    ours = emzip.compress_file(new, tmp_path / "py.emz", base=base)
    subprocess.run([cli, "compress", "-q", "--base", str(base), "-o", str(tmp_path / "cli.emz"),
                    str(new)], check=True)
    assert pathlib.Path(ours).read_bytes() == (tmp_path / "cli.emz").read_bytes()
    out = emzip.decompress_file(ours, tmp_path / "back.safetensors", base=base)
    assert pathlib.Path(out).read_bytes() == new.read_bytes()


def test_sharded_directories_take_a_base_directory(tmp_path):
    new_dir, base_dir, out_dir = tmp_path / "new", tmp_path / "base", tmp_path / "out"
    for d in (new_dir, base_dir):
        d.mkdir()
    for new, base in PAIRS:
        stem = base[:-len(".safetensors")]
        shutil.copy(DELTA / new, new_dir / f"{stem}.safetensors")
        shutil.copy(SAMPLE / base, base_dir / f"{stem}.safetensors")
    emzip.compress_file(base_dir / "age.e4m3.safetensors")  # one base compressed: found as .emz
    os.remove(base_dir / "age.e4m3.safetensors")
    outs = emzip.compress_file(new_dir, out_dir, base=base_dir)
    assert len(outs) == 2
    back = emzip.decompress_file(out_dir, tmp_path / "back", base=base_dir)
    for path in back:
        name = os.path.basename(path)
        assert pathlib.Path(path).read_bytes() == (new_dir / name).read_bytes()
    with pytest.raises(emzip.Error, match="no base for"):
        emzip.compress_file(new_dir, tmp_path / "none", base=tmp_path)


def test_a_base_given_as_a_file_descriptor_or_reader_stays_valid(tmp_path):
    emz = DELTA / "age.bf16.next.emz"
    want, _ = read_safetensors(DELTA / "age.bf16.next.safetensors")
    fd = os.open(SAMPLE / "age.bf16.safetensors", os.O_RDONLY)
    try:
        with emzip.safe_open(emz, framework="np", base=fd) as f:  # read through pread
            for name in f.keys():
                assert raw_bytes(f.get_tensor(name)) == want[name][2], name
    finally:
        os.close(fd)
    packed = emzip.compress_file(SAMPLE / "age.bf16.safetensors", tmp_path / "base.emz")
    base = emzip._core.Reader(str(packed))
    reader = emzip._core.Reader(str(emz))
    reader.set_base(base)
    with pytest.raises(RuntimeError, match="base of another reader"):
        base.close()  # would leave the delta's reader reading freed memory
    assert len(reader.read(0, reader.info()["original_size"])) > 0
    reader.close()
    base.close()  # free once the delta's reader is closed
    with pytest.raises(TypeError, match="base must be"):
        emzip.load_file(emz, base=True)  # not file descriptor 1


def test_readers_cannot_be_each_others_base():
    emz = str(DELTA / "age.bf16.next.emz")
    a, b = emzip._core.Reader(emz), emzip._core.Reader(emz)
    with pytest.raises(ValueError, match="its own base"):
        a.set_base(a)
    b.set_base(a)
    with pytest.raises(emzip.Error):
        a.set_base(b)  # a loop: refused by the library
    b.close()
    a.close()


def test_a_delta_sharing_its_base_header_lists_its_tensors_with_the_base(tmp_path):
    base = SAMPLE / "age.bf16.safetensors"
    emz = emzip.compress_file(base, tmp_path / "same.emz", base=base)  # every tensor unchanged
    reader = emzip._core.Reader(str(emz))
    info = reader.info()
    assert info["is_delta"] and info["tensors_need_base"] and info["tensor_count"] == 0
    reader.close()
    with pytest.raises(emzip.Error, match="give base="):
        emzip.load_file(emz)
    with pytest.raises(emzip.Error, match="give base="):
        emzip.safe_open(emz)
    want, _ = read_safetensors(base)
    for framework in ("pt", "np"):
        got = emzip.load_file(emz, framework=framework, base=base)
        assert sorted(got) == sorted(want)
        for name, (_, _, data) in want.items():
            assert raw_bytes(got[name]) == data
    assert os.path.getsize(emz) < 1000  # 23 tensors and the header as references
