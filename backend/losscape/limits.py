"""Every size the project accepts, in one place (service, API and catalog read it)."""

from __future__ import annotations

MAX_STEPS = 20_000  # one trajectory
MAX_RUNS = 16  # runs in one trajectories request
MAX_GRID = 600  # contour resolution per axis
MAX_ARROWS = 60  # gradient arrows per axis
MAX_LR_COUNT = 2_000  # learning rates in one sweep
MAX_BASIN_RESOLUTION = 512  # starts per axis in a basin map
MAX_MAP_SIDE = 200  # lr or momentum values per axis in an (lr x momentum) map
MAX_SWEEP_WORK = 60_000_000  # runs x steps in one sweep (about a second serial)
MAX_CURVE_VALUES = 2_000_000  # runs x (steps + 1) loss values returned by a sweep
MAX_NOISE = 1e3
MAX_BATCH_SIZE = 1_000_000
MAX_SEED = 2**31 - 1
MAX_COORDINATE = 1e6  # starts, points and view boxes


def as_dict() -> dict[str, float | int]:
    """The limits as a JSON-ready dict for the catalog."""
    return {k.lower(): v for k, v in globals().items() if k.startswith("MAX_")}
