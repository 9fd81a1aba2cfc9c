"""The GIL is released while a batch verifies: another Python thread makes progress."""
import sys
import threading
import time

import jwtbatch
from conftest import AT, read_lines


def progress_during(call):
    """How many steps a busy Python thread makes while `call()` runs on this thread.

    The switch interval is set far beyond the test's length, so the interpreter never
    takes the GIL from this thread on its own: the other thread can only run while
    this one has released it (in a blocking call, or in native code that lets go).
    """
    steps = [0]
    stop = threading.Event()

    def busy():
        while not stop.is_set():
            steps[0] += 1
            time.sleep(0)  # gives the GIL back each step, so the caller gets it promptly

    t = threading.Thread(target=busy)
    t.start()
    while steps[0] == 0:
        time.sleep(0.001)
    old = sys.getswitchinterval()
    sys.setswitchinterval(100.0)
    try:
        time.sleep(0.01)  # this thread holds the GIL when it returns
        before = steps[0]
        call()
        after = steps[0]
    finally:
        sys.setswitchinterval(old)
        stop.set()
        t.join()
    return after - before


def test_other_thread_runs_during_a_batch(work):
    tokens = read_lines(work / "asym.tokens") * 4  # 36,000 RSA/ECDSA/EdDSA tokens
    v = jwtbatch.Verifier(jwks=[work / "asym-public.jwks"], at=AT, cache_size=0, threads=1)
    assert progress_during(lambda: v.verify(tokens)) > 10
    assert progress_during(lambda: v.verify_columns(tokens)) > 10


def test_the_measure_sees_a_held_gil():
    # Pure Python work of the same length never lets the other thread in.
    assert progress_during(lambda: sum(i * i for i in range(3_000_000))) == 0


def test_threads_share_one_verifier(work):
    # Several Python threads at once on one Verifier (the engine, its cache and the
    # module's reused scratch): each gets the records a lone call gets.
    tokens = read_lines(work / "hs.tokens")
    v = jwtbatch.Verifier(jwks=[work / "hs-private.jwks"], at=AT)
    expected = v.verify(tokens)
    got = [None] * 4

    def run(i):
        got[i] = v.verify(tokens) if i % 2 == 0 else v.verify_columns(tokens)["status"]

    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got[0] == got[2] == expected
    assert got[1] == got[3] == [r["status"] for r in expected]
