"""``losscape animate``: runs growing on the contour, as a .gif, .webm or .mp4 file."""

from __future__ import annotations

import argparse

from .output import UsageError, check_output, kv_pairs


def command(args: argparse.Namespace) -> int:
    import losscape
    from losscape.animate import FORMATS, animate_runs

    check_output(args.output, FORMATS)
    lrs = args.lr or []
    if len(lrs) not in (0, 1, len(args.optimizers)):
        raise UsageError(
            f"give one --lr for all runs or one per optimizer ({len(args.optimizers)}), "
            f"got {len(lrs)}"
        )
    surface_params = kv_pairs(args.param, "--param")
    runs = []
    for i, opt in enumerate(args.optimizers):
        lr = lrs[i] if len(lrs) > 1 else (lrs[0] if lrs else None)
        runs.append(
            losscape.trajectory(
                args.surface,
                opt,
                lr=lr,
                steps=args.steps,
                start=args.start,
                surface_params=surface_params,
            )
        )
    n = animate_runs(
        args.surface, runs, args.output, surface_params=surface_params, frames=args.frames,
        fps=args.fps, size=tuple(args.size), title=args.title,
    )  # fmt: skip
    print(f"wrote {args.output} ({n} frames)")
    return 0
