"""``losscape sweep lr | basins | lr-momentum``: many runs from one kernel, to a file."""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

from .output import (
    DATA_FORMATS,
    FIGURE_FORMATS,
    check_output,
    kv_pairs,
    progress_for,
    refuse_changed,
    surface_arg,
    write_output,
)

_SWEEP_ONLY = {
    "lr": ({"momentum_count": 40, "resolution": 64, "lr": None}, "to an lr sweep"),
    "basins": (
        {"lr_min": 1e-4, "lr_max": 1.0, "count": 50, "momentum_count": 40, "curves": False,
         "start": None},
        "to a basin map (it starts from every point of a grid at one --lr)",
    ),
    "lr-momentum": (
        {"resolution": 64, "curves": False, "lr": None, "schedule": None, "schedule_param": None,
         "noise": 0.0, "batch_size": None, "seed": 0},
        "to an lr x momentum map (constant lr, no noise; the map sweeps --lr)",
    ),
}  # fmt: skip


def command(args: argparse.Namespace) -> int:
    import losscape

    flags, why = _SWEEP_ONLY[args.kind]
    refuse_changed(args, flags, why)
    ext = check_output(args.output, DATA_FORMATS + FIGURE_FORMATS)
    surface = surface_arg(args)
    surface_params = kv_pairs(args.param, "--param")
    hp = kv_pairs(args.hp, "--hp")
    bar = progress_for(args, f"{args.kind} sweep")
    common: dict[str, Any] = dict(
        surface_params=surface_params, parallel=not args.serial, progress=bar, **hp
    )
    noise = dict(noise=args.noise, batch_size=args.batch_size, seed=args.seed)
    sched = dict(
        schedule=args.schedule, schedule_params=kv_pairs(args.schedule_param, "--schedule-param")
    )
    try:
        if args.kind == "lr":
            res = losscape.lr_sweep(
                surface, args.optimizer, start=args.start, steps=args.steps, lr_min=args.lr_min,
                lr_max=args.lr_max, count=args.count, curves=args.curves, **sched, **noise,
                **common,
            )  # fmt: skip
            arrays = {
                "lrs": res.lrs, "final_loss": res.final_loss, "best_loss": res.best_loss,
                "status": np.array(res.status), "stopped_at": res.stopped_at,
            }  # fmt: skip
            if args.curves:
                arrays["curves"] = res.curves
        elif args.kind == "basins":
            res = losscape.basins(
                surface, args.optimizer, lr=args.lr, steps=args.steps, resolution=args.resolution,
                **sched, **noise, **common,
            )  # fmt: skip
            arrays = {
                "xs": res.xs, "ys": res.ys, "label": res.label, "final_loss": res.final_loss,
                "steps": res.steps, "minima": np.array([[m.x, m.y] for m in res.minima]),
            }  # fmt: skip
        else:
            res = losscape.lr_momentum_map(
                surface, args.optimizer, start=args.start, steps=args.steps, lr_min=args.lr_min,
                lr_max=args.lr_max, lr_count=args.count, momentum_count=args.momentum_count,
                **common,
            )  # fmt: skip
            arrays = {
                "lrs": res.lrs, "momenta": res.momenta, "final_loss": res.final_loss,
                "status": np.array(res.status),
            }  # fmt: skip
    finally:
        bar.close()
    fig_kw = {"surface_params": surface_params} if args.kind == "basins" else {}
    write_output(
        args.output, ext,
        json_data=lambda: arrays if args.kind != "basins" else {**arrays, "radius": res.radius},
        rows=res.to_rows, arrays=lambda: arrays, figure=lambda: res.figure(**fig_kw),
    )  # fmt: skip
    return 0
