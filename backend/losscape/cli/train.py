"""``losscape train``: a small network on a 2-D data set."""

from __future__ import annotations

import argparse
from typing import Any

from .output import DATA_FORMATS, FIGURE_FORMATS, check_output, kv_pairs, progress_for, write_output


def command(args: argparse.Namespace) -> int:
    import losscape

    ext = check_output(args.output, DATA_FORMATS + FIGURE_FORMATS) if args.output else None
    params: dict[str, Any] = {}
    if args.hidden is not None:
        params["hidden"] = args.hidden
    if args.activation is not None:
        params["activation"] = args.activation
    model: Any = {"name": args.model, "params": params} if params else args.model
    bar = progress_for(args, "training")
    try:
        h = losscape.train(
            args.dataset, model, args.optimizer, lr=args.lr, steps=args.steps, epochs=args.epochs,
            batch_size=args.batch_size, schedule=args.schedule,
            schedule_params=kv_pairs(args.schedule_param, "--schedule-param"), init=args.init,
            normalize=not args.no_normalize, seed=args.seed, validation=args.validation,
            progress=bar, **kv_pairs(args.hp, "--hp"),
        )  # fmt: skip
    finally:
        bar.close()
    stop = f" at step {h.stopped_at}" if h.stopped_at is not None else ""
    print(f"{h.model} on {h.dataset}, {h.optimizer} lr {h.lr:g}: {h.status}{stop}")
    acc = h.validation_accuracy if h.validation_accuracy is not None else h.train_accuracy
    extra = f", accuracy {acc[-1]:.4g}" if acc is not None and acc.shape[0] else ""
    print(f"  steps {h.steps_taken}; train loss {h.train_loss[-1]:.6g}{extra}")
    if ext:
        arrays = {
            k: v for k in ("batch_loss", "grad_norm", "lrs", "record_steps", "train_loss",
                           "validation_loss", "train_accuracy", "validation_accuracy", "theta")
            if (v := getattr(h, k)) is not None
        }  # fmt: skip
        write_output(
            args.output, ext, json_data=lambda: h.to_dict(snapshots=False), rows=h.to_rows,
            arrays=lambda: arrays, figure=lambda: h.figure(args.figure),
        )  # fmt: skip
    return 0
