"""Repeated calls leak no reference and no memory."""
import gc
import sys
import tracemalloc

import jwtbatch
from conftest import AT, read_lines


def test_reference_counts_stable(work):
    tokens = [t.decode() for t in read_lines(work / "hostile.tokens")[:500]]
    times = [float(AT)] * len(tokens)
    v = jwtbatch.Verifier(jwks=[work / "asym-public.jwks"], at=AT, claims=["scope", "roles"])
    for _ in range(3):  # warm: interned names, caches
        v.verify(tokens)
        v.verify_columns(tokens, at=times)
    gc.collect()
    watched = [tokens, times, v, jwtbatch.OK, tokens[0], tokens[-1], None, True]
    counts = [sys.getrefcount(o) for o in watched]
    objects = len(gc.get_objects())
    for _ in range(50):
        v.verify(tokens)
        v.verify(tokens, at=times)
        v.verify_columns(tokens)
    gc.collect()
    assert [sys.getrefcount(o) for o in watched][:6] == counts[:6]
    assert abs(len(gc.get_objects()) - objects) < 50


def test_no_memory_growth(work):
    tokens = read_lines(work / "asym.tokens")[:2000]
    v = jwtbatch.Verifier(jwks=[work / "asym-public.jwks"], at=AT, claims=["roles", "amr"])
    for _ in range(3):
        v.verify(tokens)
        v.verify_columns(tokens)
    gc.collect()
    tracemalloc.start()
    try:
        base, _ = tracemalloc.get_traced_memory()
        for _ in range(30):
            v.verify(tokens)
            v.verify_columns(tokens)
        gc.collect()
        now, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert now - base < 64 * 1024


def test_config_errors_leak_nothing(work):
    gc.collect()
    objects = len(gc.get_objects())
    for _ in range(200):
        try:
            jwtbatch.Verifier(jwks=[work / "missing.jwks"])
        except jwtbatch.ConfigError:
            pass
    gc.collect()
    assert abs(len(gc.get_objects()) - objects) < 50
