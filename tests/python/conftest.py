"""Shared fixtures of the Python tests: the sample checkpoints, the CLI, a safetensors reader.

Run by `meson test` (tests/meson.build) against the build tree (PYTHONPATH=build/python), and in
CI against a venv install; EMZIP_EXPECT_PACKAGE names the folder the emzip package must come
from, so a stray install cannot stand in for the one under test."""

import json
import os
import pathlib

import numpy as np
import pytest

import emzip

HERE = pathlib.Path(__file__).resolve().parent
SAMPLE = pathlib.Path(os.environ.get("EMZIP_TEST_SAMPLE", HERE.parent / "data"))


def pytest_report_header(config):
    return f"emzip {emzip.__version__} from {os.path.dirname(emzip.__file__)} ({emzip._core.impl})"


def pytest_sessionstart(session):
    expected = os.environ.get("EMZIP_EXPECT_PACKAGE")
    if expected:
        got = os.path.realpath(os.path.dirname(emzip.__file__))
        assert got.startswith(os.path.realpath(expected)), f"emzip imported from {got}"


@pytest.fixture(scope="session")
def sample_files():
    files = sorted(SAMPLE.glob("*.safetensors"))
    assert len(files) >= 10, f"no sample checkpoints in {SAMPLE}"
    return files


@pytest.fixture(scope="session")
def cli():
    path = os.environ.get("EMZIP_CLI")
    if not path:
        pytest.skip("EMZIP_CLI does not name the emzip tool")
    return path


def read_safetensors(path):
    """{name: (dtype, shape, raw bytes)} and the metadata of a safetensors file, parsed here
    independently of emzip."""
    data = pathlib.Path(path).read_bytes()
    n = int.from_bytes(data[:8], "little")
    header = json.loads(data[8:8 + n])
    meta = header.pop("__metadata__", None)
    base = 8 + n
    return {name: (e["dtype"], tuple(e["shape"]),
                   data[base + e["data_offsets"][0]:base + e["data_offsets"][1]])
            for name, e in header.items()}, meta


def raw_bytes(tensor):
    """The bytes of a numpy array or torch tensor, whatever its dtype (for bit-exact checks)."""
    if hasattr(tensor, "numpy"):
        import torch

        return tensor.contiguous().reshape(-1).view(torch.uint8).numpy().tobytes()
    return np.ascontiguousarray(tensor).tobytes()
