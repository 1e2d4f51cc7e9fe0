"""The GIL is released around C calls: Python threads decode concurrently, correctly."""

import sys
import threading
import time

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


def python_steps_during(call):
    """How many times another Python thread ran a step of its loop while call() ran in a
    worker thread: the steps whose time falls inside the call. A call holding the GIL leaves
    none (no bytecode runs meanwhile), one that releases it leaves some. The loop sleeps
    between steps, so the worker gets the GIL whenever it asks; and the switch interval is
    long, so that the interpreter does not take the GIL from the worker between its time
    stamps and its call (a loaded machine may hold a thread off the CPU for a while)."""
    span, stamps = {}, []

    def work():
        span["start"] = time.perf_counter()
        call()
        span["end"] = time.perf_counter()

    interval = sys.getswitchinterval()
    sys.setswitchinterval(5.0)
    try:
        worker = threading.Thread(target=work)
        worker.start()
        while worker.is_alive():
            stamps.append(time.perf_counter())
            time.sleep(0.0002)
        worker.join()
    finally:
        sys.setswitchinterval(interval)
    return sum(span["start"] < t < span["end"] for t in stamps)


def test_the_gil_is_released_during_a_call():
    # (A speed-up check needs idle cores; this one holds on a loaded machine too.)
    rng = np.random.default_rng(11)
    data = (rng.standard_normal(12_000_000).astype(np.float32).view(np.uint32) >> 16)
    data = data.astype(np.uint16)
    frame = emzip.compress(data, "bf16")
    out = np.empty_like(data)
    def calls():  # ~50-100 ms: many of the loop's steps, however loaded the machine
        for _ in range(4):
            emzip.decompress(frame, out=out)

    assert python_steps_during(calls) >= 3
    assert np.array_equal(out, data)
    # The control: copying bytes holds the GIL throughout.
    big = bytearray(200_000_000)
    assert python_steps_during(lambda: bytes(big)) == 0


def test_load_file_in_threads_reuses_kept_buffers(sample_files, tmp_path):
    """Checkpoints loaded in several threads, each freed before the next round, come back right
    from kept memory (load_buffer.c), though the last round scribbled over its tensors; a
    checkpoint still alive keeps its own buffer meanwhile."""
    from conftest import raw_bytes

    packed = [emzip.compress_file(src, tmp_path / f"{i}.emz")
              for i, src in enumerate(sample_files[:2])]
    expect = [{k: raw_bytes(v) for k, v in emzip.load_file(p).items()} for p in packed]
    kept = emzip.load_file(packed[0])  # alive through all rounds: its memory is not reused
    errors = []

    def work(i):
        try:
            for framework in ("pt", "np", "pt"):
                got = emzip.load_file(packed[i], framework=framework)
                for name, want in expect[i].items():
                    assert raw_bytes(got[name]) == want, (i, framework, name)
                    if got[name].size if framework == "np" else got[name].numel():
                        got[name].reshape(-1)[0] = 1  # the next load must not see it
        except Exception as e:  # reported to the main thread
            errors.append(e)

    for _ in range(3):
        threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert not errors, errors
    assert {k: raw_bytes(v) for k, v in kept.items()} == expect[0]


def test_release_buffers_and_its_bounds(sample_files, tmp_path):
    packed = emzip.compress_file(sample_files[0], tmp_path / "s.emz")
    size = emzip._core.Reader(packed).info()["original_size"]
    emzip.release_buffers()
    tensors = emzip.load_file(packed)
    assert emzip.release_buffers() == 0  # in use: nothing kept yet
    del tensors
    assert emzip.release_buffers() >= size  # freed: kept, then handed back
    assert emzip.release_buffers() == 0
    big = emzip._core.LoadBuffer(300 << 20)  # mapped, never touched: above the 256 MiB bound
    assert len(memoryview(big)) == 300 << 20
    del big
    assert emzip.release_buffers() == 0
    # a freed buffer's pages serve the next one that fits: the same address
    first = emzip._core.LoadBuffer(3 << 20)
    address = np.frombuffer(first, np.uint8).ctypes.data
    del first
    again = emzip._core.LoadBuffer(3 << 20)
    assert np.frombuffer(again, np.uint8).ctypes.data == address
    del again
    assert emzip.release_buffers() >= 3 << 20
    empty = memoryview(emzip._core.LoadBuffer(0))
    assert len(empty) == 0 and not empty.readonly
    import pytest

    with pytest.raises(ValueError):
        emzip._core.LoadBuffer(-1)
