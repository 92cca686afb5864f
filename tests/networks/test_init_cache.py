"""The kept initial draws behind ``initial_theta`` and the kept parameter names."""

from __future__ import annotations

import math

import numpy as np
import pytest

from losscape.networks import architecture as ar
from losscape.networks import mlp

NET = mlp.Architecture(n_in=2, hidden=(16,), n_out=1, activation=mlp.ACT_TANH, loss=0)
NORM = mlp.Architecture(
    n_in=2, hidden=(3,), n_out=1, activation=mlp.ACT_RELU, loss=0, batch_norm=True
)


def drawn(arch: mlp.Architecture, init: str, seed: int, scale: float | None = None) -> np.ndarray:
    """The draw without the cache (what ``initial_theta`` computed before it)."""
    return ar._initial_kept.__wrapped__(
        arch, init, seed, None if scale is None else float(scale).hex()
    )


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    ar._initial_kept.cache_clear()


def test_a_repeated_init_is_drawn_once_and_equals_a_fresh_draw() -> None:
    a = mlp.initial_theta(NET, "xavier", 3)
    b = mlp.initial_theta(NET, "xavier", 3)
    info = ar._initial_kept.cache_info()
    assert (info.hits, info.misses) == (1, 1)
    ref = drawn(NET, "xavier", 3)
    assert a.tobytes() == ref.tobytes() and b.tobytes() == ref.tobytes()
    # xavier's bound sqrt(6 / (fan_in + fan_out)) on the first layer's 32 weights
    assert np.all(np.abs(a[:32]) <= math.sqrt(6.0 / 18.0)) and np.all(a[32:48] == 0.0)
    for args in ((NET, "xavier", 4), (NET, "he", 3), (NORM, "xavier", 3)):
        mlp.initial_theta(*args)
    assert ar._initial_kept.cache_info().misses == 4
    n = mlp.initial_theta(NORM, "small_random", 0, 0.5)
    assert n.tobytes() == drawn(NORM, "small_random", 0, 0.5).tobytes()
    gamma, beta = NORM.norm_params(n, 0)
    assert gamma.tolist() == [1.0, 1.0, 1.0] and beta.tolist() == [0.0, 0.0, 0.0]


def test_the_scale_is_keyed_by_its_exact_value() -> None:
    pos = mlp.initial_theta(NET, "constant", 0, 0.0)
    neg = mlp.initial_theta(NET, "constant", 0, -0.0)
    assert np.all(pos == 0.0) and not np.any(np.signbit(pos))
    assert np.all(np.signbit(neg))  # -0.0 everywhere, not the 0.0 draw from the cache
    assert ar._initial_kept.cache_info().misses == 2


def test_a_caller_cannot_corrupt_the_kept_draw() -> None:
    a = mlp.initial_theta(NET, "he", 1)
    assert a.flags.writeable
    a[:] = 123.0
    b = mlp.initial_theta(NET, "he", 1)
    assert ar._initial_kept.cache_info().hits == 1
    assert b.tobytes() == drawn(NET, "he", 1).tobytes()
    assert not np.shares_memory(a, b)
    kept = ar._initial_kept(NET, "he", 1, None)
    with pytest.raises(ValueError, match="read-only"):
        kept[0] = 0.0


def test_the_kept_draws_are_bounded() -> None:
    for seed in range(ar.INIT_CACHE_SIZE + 5):
        mlp.initial_theta(NET, "xavier", seed)
    info = ar._initial_kept.cache_info()
    assert info.maxsize == ar.INIT_CACHE_SIZE and info.currsize == ar.INIT_CACHE_SIZE
    mlp.initial_theta(NET, "xavier", 0)  # the oldest was dropped: drawn again
    assert ar._initial_kept.cache_info().misses == ar.INIT_CACHE_SIZE + 6


def test_param_names_are_a_fresh_list_each_call() -> None:
    names = NORM.param_names()
    assert names[:7] == ["W1[0,0]", "W1[0,1]", "W1[1,0]", "W1[1,1]", "W1[2,0]", "W1[2,1]", "b1[0]"]
    assert names[9:15] == [f"{p}1[{j}]" for p in ("gamma", "beta") for j in range(3)]
    assert len(names) == NORM.n_params
    names.append("mine")
    assert len(NORM.param_names()) == NORM.n_params
