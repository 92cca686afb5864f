"""Surface resolution: a ResolvedSurface passes through ``resolve_surface`` as it is, and a
catalogue name at its defaults is resolved once and shared; parameters, mappings and bad
names take the full path."""

from __future__ import annotations

import numpy as np
import pytest

from losscape import service
from losscape.arguments import resolve_surface


def test_a_resolved_surface_is_returned_as_it_is() -> None:
    resolved = resolve_surface({"name": "rosenbrock", "params": {"b": 50}})
    assert resolve_surface(resolved) is resolved
    assert resolved.param_values["b"] == 50


def test_parameters_cannot_be_added_to_a_resolved_surface() -> None:
    resolved = resolve_surface("rosenbrock")
    with pytest.raises(ValueError, match="already holds its parameters"):
        resolve_surface(resolved, {"b": 50})


def test_a_run_on_a_resolved_surface_is_the_run_on_its_reference() -> None:
    ref = {"name": "rosenbrock", "params": {"a": 1, "b": 20}}
    by_ref = service.trajectory(ref, "adam", start=(-1.0, 1.5), steps=50, lr=0.02)
    by_resolved = service.trajectory(
        resolve_surface(ref), "adam", start=(-1.0, 1.5), steps=50, lr=0.02
    )
    np.testing.assert_array_equal(by_ref.path, by_resolved.path)
    np.testing.assert_array_equal(by_ref.loss, by_resolved.loss)
    assert by_ref.status == by_resolved.status
    # b = 20, not the default 100: the loss at the start says which surface ran
    x, y = -1.0, 1.5
    assert by_resolved.loss[0] == pytest.approx((1 - x) ** 2 + 20 * (y - x * x) ** 2)


def test_a_typed_formula_resolves_once_too() -> None:
    resolved = resolve_surface({"expression": "x**2 + 3*y**2"})
    assert resolve_surface(resolved) is resolved
    run = service.trajectory(resolved, "gd", start=(1.0, 1.0), steps=3, lr=0.1)
    assert run.loss[0] == pytest.approx(4.0)


def test_a_bare_name_is_resolved_once():
    a = resolve_surface("rosenbrock")
    assert resolve_surface("rosenbrock") is a
    assert a.param_values == {"a": 1.0, "b": 100.0}
    assert [(c.x, c.y) for c in a.minima] == [(1.0, 1.0)]


def test_parameters_give_their_own_resolution():
    default = resolve_surface("rosenbrock")
    moved = resolve_surface("rosenbrock", {"a": 0.5})
    assert moved is not default and moved.param_values["a"] == 0.5
    assert [(c.x, c.y) for c in moved.minima] == [(0.5, 0.25)]  # minimum at (a, a^2)
    assert default.param_values["a"] == 1.0  # the shared default is untouched
    assert resolve_surface({"name": "rosenbrock"}).param_values == default.param_values


def test_unknown_names_are_refused_every_time_with_the_choices():
    for _ in range(2):
        with pytest.raises(ValueError, match=r"valid surfaces: .*rosenbrock"):
            resolve_surface("rosenbrok")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"steps": 1000, "lr": 0.02},
        {"steps": 1, "lr": None, "noise": 0, "seed": 7, "tol": 0.0},
        {"steps": 20_000, "noise": 0.5, "tol": 1e3},
    ],
)
def test_plain_arguments_take_the_fast_path_to_the_general_paths_result(kwargs) -> None:
    from losscape import run_arguments as ra

    fast = ra.run_arguments("adam", (-1.5, 2.0), **kwargs)
    plain = {"lr": None, "noise": 0.0, "seed": 0, "tol": 1e-10, **kwargs}
    assert ra._plain_run("adam", (-1.5, 2.0), **plain) is not None  # it took the fast path
    general = ra.run_arguments("adam", (-1.5, 2.0), schedule="constant", **kwargs)
    for name in ra.RunArguments._fields:
        a, b = getattr(fast, name), getattr(general, name)
        if isinstance(a, np.ndarray):
            assert np.array_equal(a, b) and a.dtype == b.dtype
        else:
            assert a == b and type(a) is type(b), name
    fast.hp[0] = 0.5  # the cached vectors are copied out: the next run has the defaults
    assert ra.run_arguments("adam", (-1.5, 2.0), **kwargs).hp[0] == general.hp[0]


def test_plain_arguments_hand_out_the_cached_vectors_and_their_names() -> None:
    from losscape import run_arguments as ra

    plain = ra.plain_run_arguments("adam", (-1.5, 2.0), 10, None, 0.0, 0, 1e-10)
    copied = ra.run_arguments("adam", (-1.5, 2.0), steps=10)
    assert plain.hp is ra.plain_run_arguments("adam", (0.0, 1.0), 5, 0.1, 0.0, 0, 0.0).hp
    assert copied.hp is not plain.hp and np.array_equal(copied.hp, plain.hp)
    assert plain == copied._replace(hp=plain.hp, schp=plain.schp)
    names = ra.plain_hyperparams(plain.spec, plain.hp)
    assert names == copied.hyperparams and names is not ra.plain_hyperparams(plain.spec, plain.hp)
    assert ra.plain_hyperparams(copied.spec, copied.hp) is None  # not the cached vector
    assert ra.plain_run_arguments("adam", (-1.5, 2.0), 0, None, 0.0, 0, 1e-10) is None


@pytest.mark.parametrize(
    "kwargs",
    [
        {"lr": 1},  # an int lr, a bool seed, numpy numbers, NaN, a list start: the general path
        {"seed": True},
        {"steps": np.int64(10)},
        {"tol": float("nan")},
        {"start": [-1.5, 2.0]},
        {"noise": 1},
        {"steps": 0},
    ],
)
def test_anything_else_leaves_the_fast_path_to_the_general_checks(kwargs) -> None:
    from losscape import run_arguments as ra

    args = {"start": (-1.5, 2.0), "steps": 10, "lr": None, "noise": 0.0, "seed": 0, "tol": 0.1}
    args.update(kwargs)
    assert ra._plain_run("adam", args.pop("start"), **args) is None
