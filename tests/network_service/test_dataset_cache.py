"""The bounded cache of generated data sets behind ``resolve_dataset``: hits, isolation, bound."""

from __future__ import annotations

import numpy as np
import pytest

from losscape import network_service as ns
from losscape.network_service import catalogue as cat
from losscape.networks import datasets as ds

GENERATE = ds.generate  # the real one, for reference values the counter does not see


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """An empty cache and a list that records every call of ``ds.generate``."""
    monkeypatch.setattr(cat, "_dataset_cache", type(cat._dataset_cache)())
    calls: list[str] = []

    def generate(spec: ds.DatasetSpec, *args: object, **kwargs: object) -> ds.Dataset:
        calls.append(spec.name)
        return GENERATE(spec, *args, **kwargs)

    monkeypatch.setattr(ds, "generate", generate)
    return calls


def fresh(name: str, params: dict[str, float], frac: float = 0.2) -> ds.Dataset:
    """The set as generated without the cache (the reference values)."""
    spec = ds.DATASET_BY_NAME[name]
    values = {p.name: float(params.get(p.name, p.default)) for p in spec.params}
    return GENERATE(spec, values, validation=frac, split_seed=int(values.get("seed", 0)))


def assert_same(a: ds.Dataset, b: ds.Dataset) -> None:
    assert (a.name, a.task, a.classes, a.feature_names, a.params) == (
        b.name, b.task, b.classes, b.feature_names, b.params,
    )  # fmt: skip
    for x, y in ((a.X, b.X), (a.t, b.t), (a.train, b.train), (a.validation, b.validation)):
        assert x.dtype == y.dtype and x.shape == y.shape
        np.testing.assert_array_equal(x, y)


def test_the_same_set_is_generated_once_and_equals_a_fresh_one(counted: list[str]) -> None:
    a = ns.resolve_dataset({"name": "moons", "params": {"n": 300, "noise": 0.1}})
    b = ns.resolve_dataset({"name": "moons", "params": {"n": 300, "noise": 0.1, "seed": 0}})
    assert counted == ["moons"]  # the second call (the same values, seed spelled out) hit
    ref = fresh("moons", {"n": 300, "noise": 0.1})
    assert_same(a, ref)
    assert_same(b, ref)
    # another split share, noise or seed is another set
    ns.resolve_dataset({"name": "moons", "params": {"n": 300, "noise": 0.1}}, validation=0.3)
    ns.resolve_dataset({"name": "moons", "params": {"n": 300, "noise": 0.2}})
    ns.resolve_dataset({"name": "moons", "params": {"n": 300, "noise": 0.1, "seed": 1}})
    assert counted == ["moons"] * 4
    c = ns.resolve_dataset({"name": "moons", "params": {"n": 300, "noise": 0.1}}, validation=0.3)
    assert counted == ["moons"] * 4
    assert_same(c, fresh("moons", {"n": 300, "noise": 0.1}, 0.3))


def test_a_caller_cannot_corrupt_the_cache(counted: list[str]) -> None:
    a = ns.resolve_dataset("xor")
    for arr in (a.X, a.t, a.train, a.validation):
        assert arr.flags.writeable  # the caller's own copies: writable, as before the cache
    a.X[:] = 1e9
    a.t[:] = -7.0
    a.train[:] = 0
    a.validation[:] = 0
    a.params["n"] = 3.0
    b = ns.resolve_dataset("xor")
    assert counted == ["xor"]
    assert_same(b, fresh("xor", {}))
    assert not np.shares_memory(a.X, b.X) and not np.shares_memory(a.t, b.t)
    # nor can code that reaches the cached entry itself write to it
    (kept,) = cat._dataset_cache.values()
    with pytest.raises(ValueError, match="read-only"):
        kept.X[0, 0] = 0.0


def test_the_cache_keeps_only_the_newest_sets(counted: list[str]) -> None:
    size = cat.DATASET_CACHE_SIZE
    for seed in range(size + 3):
        ns.resolve_dataset({"name": "spirals", "params": {"seed": seed}})
    assert len(cat._dataset_cache) == size
    assert len(counted) == size + 3
    ns.resolve_dataset({"name": "spirals", "params": {"seed": size + 2}})  # the newest: a hit
    assert len(counted) == size + 3
    first = ns.resolve_dataset({"name": "spirals", "params": {"seed": 0}})  # evicted: generated
    assert len(counted) == size + 4 and len(cat._dataset_cache) == size
    assert_same(first, fresh("spirals", {"seed": 0}))


def test_csv_sets_are_not_cached(counted: list[str]) -> None:
    text = "x1,x2,label\n0,0,0\n1,0,1\n0,1,1\n1,1,0\n2,2,0\n3,1,1\n"
    a = ns.resolve_dataset({"csv": text})
    assert a.X.shape == (6, 2) and len(cat._dataset_cache) == 0
