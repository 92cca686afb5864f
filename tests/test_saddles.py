"""The stuck-at-a-saddle check: closed-form eigenvalues and the decision rule."""

from __future__ import annotations

import numpy as np
import pytest

from losscape import saddles, service


@pytest.mark.parametrize(
    "a,b,d",
    [(1.0, 0.0, 2.0), (2.0, -3.0, -1.0), (0.0, 1e-9, 0.0), (1e8, 5.0, -1e-3), (-4.0, 2.0, -4.0)],
)
def test_symmetric_eigenvalues_equal_numpys(a: float, b: float, d: float) -> None:
    lo, hi = saddles.symmetric_eigenvalues(a, b, d)
    expected = np.linalg.eigvalsh(np.array([[a, b], [b, d]]))
    np.testing.assert_allclose([lo, hi], expected, rtol=1e-12, atol=1e-12 * max(1, abs(a), abs(d)))


def test_a_vanishing_gradient_on_the_saddle_is_stuck_and_at_the_minimum_is_not() -> None:
    # f = x^2 - y^2 at the origin: Hessian diag(2, -2), a saddle.
    saddle = service.resolve_surface("saddle")
    assert saddles.is_stuck(saddle.kernel_args(), (0.0, 0.0), (0.0, 0.0))
    # A gradient of 1e-3 at the same point is not vanishing: not stuck.
    assert not saddles.is_stuck(saddle.kernel_args(), (1e-3, 0.0), (0.0, 0.0))
    bowl = service.resolve_surface("quadratic")
    assert not saddles.is_stuck(bowl.kernel_args(), (0.0, 0.0), (0.0, 0.0))


def test_run_status_only_relabels_converged_or_done() -> None:
    args = service.resolve_surface("saddle").kernel_args()
    assert saddles.run_status("converged", args, (0.0, 0.0), (0.0, 0.0)) == "stuck"
    assert saddles.run_status("done", args, (0.0, 0.0), (0.0, 0.0)) == "stuck"
    assert saddles.run_status("diverged", args, (0.0, 0.0), (0.0, 0.0)) == "diverged"


def test_a_hessian_handed_in_decides_as_the_one_computed() -> None:
    # The trajectory kernels hand the saddle check the Hessian at the end point.
    saddle = service.resolve_surface("saddle").kernel_args()
    assert saddles.is_stuck(saddle, (0.0, 0.0), (0.0, 0.0), [2.0, 0.0, 0.0, -2.0])
    assert not saddles.is_stuck(saddle, (0.0, 0.0), (0.0, 0.0), [2.0, 0.0, 0.0, 2.0])
    assert saddles.run_status("done", saddle, (0.0, 0.0), (0.0, 0.0), [2.0, 0.0, 0.0, -2.0]) == (
        "stuck"
    )
    run = service.trajectory("saddle", "gd", start=(0.5, 0.0), lr=0.1, steps=400)
    assert run.status == "stuck"  # on the x axis, the run ends at the saddle point
