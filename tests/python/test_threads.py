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
