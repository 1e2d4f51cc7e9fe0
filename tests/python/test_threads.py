"""The GIL is released around C calls: Python threads decode concurrently, correctly."""

import threading

import numpy as np

import emzip


def test_two_threads_decompress_concurrently():
    rng = np.random.default_rng(10)
    inputs = [rng.standard_normal(1_500_000).astype(np.float32).view(np.uint32) >> np.uint32(16)
              for _ in range(2)]
    inputs = [x.astype(np.uint16) for x in inputs]
    frames = [emzip.compress(x, "bf16") for x in inputs]
    results, errors = [None, None], []

    def work(i):
        try:
            out = np.empty_like(inputs[i])
            for _ in range(5):
                emzip.decompress(frames[i], out=out)
                assert np.array_equal(out, inputs[i])
            results[i] = emzip.decompress(frames[i])
        except Exception as e:  # reported to the main thread
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert [r == x.tobytes() for r, x in zip(results, inputs)] == [True, True]


def test_threads_share_a_reader(sample_files, tmp_path):
    packed = emzip.compress_file(sample_files[0], tmp_path / "s.emz")
    reader = emzip._core.Reader(packed)
    size = reader.info()["original_size"]
    whole = reader.read(0, size)
    errors = []

    def work():
        try:
            for _ in range(10):
                assert reader.read(0, size, threads=2) == whole
        except Exception as e:
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    reader.close()
    assert not errors and whole == sample_files[0].read_bytes()
