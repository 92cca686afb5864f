"""The classroom in a notebook cell: ``losscape.widget(scene="momentum")``.

An ``anywidget`` widget: the state lives in Python (``w.state``, a dict like the
page's: surface, params, runs, steps, ...), the kernels run in the notebook's own
process (no server), and ``w.results`` holds the ``Trajectory`` of every run.
Changing ``w.state`` (or a slider in the cell) recomputes; observe it with
traitlets, e.g. ``w.observe(callback, names="revision")``.

Plotly.js comes from the installed plotly package, bundled into the widget's
module: nothing is fetched from the network. Needs ``pip install 'losscape[notebook]'``.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from . import plot, scenes, service

ASSET = Path(__file__).with_name("widget.js")

# plotly.min.js is a UMD bundle: with these shadowed it sets globalThis.Plotly instead of
# registering with a page's AMD loader (classic Jupyter has require.js) or CommonJS.
_PRELUDE = "const define = undefined, module = undefined, exports = undefined;\n"


@cache
def esm_source() -> str:
    """The widget's ES module: plotly.js from the plotly package, then widget.js."""
    from plotly.offline import get_plotlyjs

    return _PRELUDE + get_plotlyjs() + "\n" + ASSET.read_text(encoding="utf-8")


def _catalog() -> dict[str, Any]:
    return {
        "surfaces": [
            {"name": s["name"], "title": s["title"]} for s in service.surfaces() if s["dims"] == 2
        ],
        "optimizers": [
            {
                "name": o["name"],
                "title": o["title"],
                "lr_min": o["lr"]["min"],
                "lr_max": o["lr"]["max"],
            }
            for o in service.optimizers()
        ],
    }


def _fig_json(fig: Any) -> dict[str, Any]:
    import plotly.io as pio

    return json.loads(pio.to_json(fig, validate=False))


class LosscapeWidget(anywidget.AnyWidget):
    """Contour and loss curves of a scene's runs, with sliders; see the module docstring."""

    _esm = traitlets.Unicode().tag(sync=True)
    state = traitlets.Dict().tag(sync=True)
    figures = traitlets.Dict().tag(sync=True)
    catalog = traitlets.Dict().tag(sync=True)
    title = traitlets.Unicode("").tag(sync=True)
    caption = traitlets.Unicode("").tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)
    revision = traitlets.Int(0).tag(sync=True)

    def __init__(self, scene: str | None = "momentum", state: dict | None = None, **kwargs: Any):
        if scene is not None and state is None:
            sc = scenes.scene(scene)
            state = sc["state"]
            kwargs.setdefault("title", sc["title"])
            kwargs.setdefault("caption", sc["caption"])
        elif state is None:
            state = scenes.scene("playground")["state"]
        self._results: list[Any] = []
        super().__init__(_esm=esm_source(), catalog=_catalog(), **kwargs)
        self.observe(self._recompute, names="state")
        self.state = copy.deepcopy(state)  # computes the first figures

    @property
    def results(self) -> list[Any]:
        """The ``Trajectory`` of every run at the current state."""
        return list(self._results)

    def set(self, **patch: Any) -> None:
        """Change the state by keys, e.g. ``w.set(steps=300)``; recomputes once."""
        self.state = {**self.state, **patch}

    def set_run(self, index: int, **patch: Any) -> None:
        """Change one run, e.g. ``w.set_run(1, lr=0.02)``."""
        runs = copy.deepcopy(self.state["runs"])
        runs[index].update(patch)
        self.set(runs=runs)

    def compute(self, state: dict[str, Any]) -> tuple[list[Any], dict[str, Any]]:
        """The runs and figures of a state (the same kernels and figures as the Python API)."""
        surface = state["surface"]
        params = state.get("params") or {}
        sched = state.get("schedule") or {}
        runs = []
        for r in state["runs"]:
            runs.append(
                service.trajectory(
                    surface,
                    r["optimizer"],
                    lr=r.get("lr"),
                    start=r.get("start"),
                    steps=state.get("steps", 200),
                    schedule=sched.get("name"),
                    schedule_params=sched.get("params"),
                    noise=state.get("noise", 0.0),
                    batch_size=state.get("batch_size"),
                    seed=state.get("seed", 0),
                    surface_params=params,
                    **(r.get("hyperparams") or {}),
                )
            )
        figs = {
            "contour": _fig_json(
                plot.contour(surface, runs, surface_params=params, resolution=120)
            ),
            "curves": _fig_json(plot.curves(runs, log=bool(state.get("logy", True)))),
        }
        for f in figs.values():  # the cell sizes the plots
            f["layout"].pop("width", None)
            f["layout"]["height"] = 420
        return runs, figs

    def _recompute(self, change: dict[str, Any]) -> None:
        try:
            runs, figs = self.compute(change["new"])
        except ValueError as exc:
            self.error = str(exc)
            return
        self._results = runs
        self.error = ""
        self.figures = figs
        self.revision += 1
