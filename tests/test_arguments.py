"""Surface resolution: a catalogue name at its defaults is resolved once and shared;
parameters, mappings and bad names take the full path."""

from __future__ import annotations

import pytest

from losscape.arguments import resolve_surface


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
