"""``losscape run``: one optimizer on one surface, a summary, optionally written to a file."""

from __future__ import annotations

import argparse
import json

import numpy as np

from .output import (
    DATA_FORMATS,
    FIGURE_FORMATS,
    UsageError,
    check_output,
    jsonable,
    kv_pairs,
    surface_arg,
    write_output,
)


def _state_arrays(run: object) -> dict[str, np.ndarray]:
    """``state_<quantity>`` (n + 1, 2) arrays of a run made with --record-state, else none."""
    state = getattr(run, "state", None)
    return {} if state is None else {f"state_{q}": v for q, v in state.quantities.items()}


def command(args: argparse.Namespace) -> int:
    import losscape

    ext = check_output(args.output, DATA_FORMATS + FIGURE_FORMATS) if args.output else None
    if args.json and args.output:
        raise UsageError("--json prints the run; with -o, write file.json instead")
    surface = surface_arg(args)
    surface_params = kv_pairs(args.param, "--param")
    run = losscape.trajectory(
        surface,
        args.optimizer,
        start=args.start,
        steps=args.steps,
        lr=args.lr,
        schedule=args.schedule,
        schedule_params=kv_pairs(args.schedule_param, "--schedule-param"),
        noise=args.noise,
        batch_size=args.batch_size,
        seed=args.seed,
        surface_params=surface_params,
        record_state=args.record_state,
        **kv_pairs(args.hp, "--hp"),
    )
    if args.json:
        print(json.dumps(jsonable(run)))
        return 0
    x, y, f = run.final
    stop = f" at step {run.stopped_at}" if run.stopped_at is not None else ""
    print(f"{run.optimizer} on {run.surface}, lr {run.lr:g}: {run.status}{stop}")
    print(
        f"  steps taken {run.steps_taken}; start ({run.path[0, 0]:.6g}, {run.path[0, 1]:.6g})"
        f" loss {run.loss[0]:.6g}"
    )
    print(f"  final ({x:.6g}, {y:.6g}) loss {f:.6g}; best loss {np.min(run.loss):.6g}")
    if ext:
        write_output(
            args.output, ext,
            json_data=lambda: run,
            rows=run.to_rows,
            arrays=lambda: {"path": run.path, "loss": run.loss, "lrs": run.lrs,
                            "averaged_path": run.averaged_path, "status": np.array(run.status),
                            **_state_arrays(run)},
            figure=lambda: losscape.plot.contour(
                surface, run, surface_params=surface_params,
                state_step=run.steps_taken if args.record_state else None,
            ),
        )  # fmt: skip
    return 0
