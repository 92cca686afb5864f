"""exp(-a) and log1p(e) of the logistic losses against libm, and the losses built on them."""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from losscape.networks import mlp
from losscape.networks.vector_math import EXP_CLIP, exp_neg, expm1_pos, log1p_unit, tanh


@njit(cache=True)
def _each(fn, a: np.ndarray) -> np.ndarray:
    """fn at every value of a, in a loop like the passes' (so the vectorised code is tested)."""
    out = np.empty_like(a)
    for i in range(a.shape[0]):
        out[i] = fn(a[i])
    return out


def _exp_neg_all(a: np.ndarray) -> np.ndarray:
    return _each(exp_neg, a)


def _log1p_all(e: np.ndarray) -> np.ndarray:
    return _each(log1p_unit, e)


def _expm1_all(a: np.ndarray) -> np.ndarray:
    return _each(expm1_pos, a)


def _tanh_all(x: np.ndarray) -> np.ndarray:
    return _each(tanh, x)


def ulps(got: np.ndarray, want: np.ndarray) -> np.ndarray:
    return np.abs(got - want) / np.spacing(np.abs(want))


def test_exp_neg_is_within_one_ulp_of_libm_down_to_the_clip():
    rng = np.random.default_rng(0)
    a = np.concatenate([
        rng.uniform(0.0, 1.0, 20_000), rng.uniform(0.0, 40.0, 20_000),
        rng.uniform(0.0, EXP_CLIP, 20_000), np.linspace(0.0, 1e-6, 1001),
        [0.0, 0.5 * math.log(2.0), math.log(2.0), 1.0, 36.0, 700.0, EXP_CLIP],
    ])  # fmt: skip
    want = np.array([math.exp(-x) for x in a])
    assert ulps(_exp_neg_all(a), want).max() <= 1.0
    assert _exp_neg_all(np.array([0.0]))[0] == 1.0


def test_exp_neg_clips_past_708_and_keeps_nan():
    out = _exp_neg_all(np.array([745.0, 1e300, math.inf, math.nan]))
    assert out[:3].tolist() == [_exp_neg_all(np.array([EXP_CLIP]))[0]] * 3
    assert out[0] > 2.2250738585072014e-308  # still a normal number
    assert math.isnan(out[3])


def test_log1p_unit_is_within_two_ulp_of_libm_on_zero_to_one():
    rng = np.random.default_rng(1)
    e = np.concatenate([
        rng.uniform(0.0, 1.0, 40_000), np.linspace(0.0, 1e-6, 1001),
        np.linspace(0.41, 0.42, 10_001), [1e-300, 5e-324, math.sqrt(2.0) - 1.0, 0.5, 1.0],
    ])  # fmt: skip
    want = np.array([math.log1p(x) for x in e])
    assert ulps(_log1p_all(e), want).max() <= 2.0
    out = _log1p_all(np.array([0.0, math.nan]))
    assert out[0] == 0.0 and math.isnan(out[1])


def test_logistic_losses_and_deltas_match_libm():
    """Binary cross-entropy and the logistic squared error of a chunk, with the libm reference."""
    rng = np.random.default_rng(2)
    m = 97
    z = np.concatenate([rng.normal(0.0, 3.0, m - 5), [0.0, -40.0, 40.0, 800.0, -800.0]])
    t = (rng.uniform(size=m) > 0.5).astype(float)
    idx = rng.permutation(m)
    T = np.empty(m)
    T[idx] = t  # the chunk reads T[idx[c]]
    for loss_id in (mlp.LOSS_BCE, mlp.LOSS_LOGISTIC_SQUARED):
        arch = mlp.Architecture(2, (3,), 1, mlp.ACT_TANH, loss_id)
        acts, deltas = mlp.scratch(arch)
        ao = arch.layout[-1, mlp.L_A]
        acts[ao, :m] = z
        loss, correct = mlp.loss_chunk(
            arch.layout, loss_id, acts, T, idx, 0, m, 0.5, deltas, True, np.empty(m)
        )
        p = np.array([1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))
                      for x in z])  # fmt: skip
        if loss_id == mlp.LOSS_BCE:
            softplus = np.array([math.log1p(math.exp(-abs(x))) for x in z])
            point = np.maximum(z, 0.0) - t * z + softplus
            delta = (p - t) * 0.5
        else:
            point = 0.5 * (p - t) ** 2
            delta = (p - t) * p * (1.0 - p) * 0.5
        np.testing.assert_allclose(loss, math.fsum(point), rtol=1e-14)
        np.testing.assert_allclose(acts[ao, :m], point, rtol=1e-14, atol=1e-300)
        np.testing.assert_allclose(deltas[ao, :m], delta, rtol=1e-14, atol=1e-300)
        assert correct == int(np.sum((z >= 0.0) == (t > 0.5)))


def test_expm1_pos_is_within_two_ulp_of_libm_up_to_40():
    rng = np.random.default_rng(3)
    a = np.concatenate([
        rng.uniform(0.0, 1.0, 20_000), rng.uniform(0.0, 40.0, 20_000),
        np.geomspace(1e-300, 1e-3, 2001), [0.0, 0.5 * math.log(2.0), math.log(2.0), 40.0],
    ])  # fmt: skip
    want = np.array([math.expm1(x) for x in a])
    ok = want > 0.0
    assert ulps(_expm1_all(a)[ok], want[ok]).max() <= 2.0
    assert _expm1_all(np.array([0.0]))[0] == 0.0


def test_tanh_in_a_vectorised_loop_is_within_four_ulp_of_libm():
    """The loop the passes run (vectorised), over both signs, tiny values and saturation."""
    rng = np.random.default_rng(4)
    x = np.concatenate([
        rng.normal(0.0, 3.0, 40_000), np.linspace(-25.0, 25.0, 20_001),
        np.geomspace(1e-300, 1.0, 2001), -np.geomspace(1e-300, 1.0, 2001),
    ])  # fmt: skip
    want = np.array([math.tanh(v) for v in x])
    ok = want != 0.0
    got = _tanh_all(x)
    assert ulps(got[ok], want[ok]).max() <= 4.0
    edge = _tanh_all(np.array([0.0, 1e300, -math.inf, math.inf, math.nan]))
    assert edge[:4].tolist() == [0.0, 1.0, -1.0, 1.0] and math.isnan(edge[4])
