"""``losscape list``: the catalogue (surfaces, optimizers, schedules, data sets, models)."""

from __future__ import annotations

import argparse
import json

from .output import jsonable


def command(args: argparse.Namespace) -> int:
    import losscape

    cat = {
        "surfaces": losscape.surfaces(),
        "optimizers": losscape.optimizers(),
        "schedules": losscape.schedules(),
        "datasets": losscape.datasets(),
        "models": losscape.models(),
    }
    if args.json:
        print(json.dumps(jsonable(cat)))
        return 0
    for key, items in cat.items():
        print(f"{key}:")
        for item in items:
            print(f"  {item['name']:<18} {item.get('title', '')}")
    return 0
