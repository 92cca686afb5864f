"""Learning-rate schedules: ``schedule_lr(kid, t, lr0, sp, total) -> lr`` for step t (from 0).

Each equals the ``torch.optim.lr_scheduler`` counterpart named in its spec,
read after ``t`` calls to ``scheduler.step()``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .specs import ScheduleSpec


@njit(cache=True, nogil=True)
def schedule_lr(kid: int, t: int, lr0: float, sp: np.ndarray, total: int) -> float:
    """Learning rate used by step t + 1 (t counts from 0)."""
    return lr0


SCHEDULES: tuple[ScheduleSpec, ...] = (
    ScheduleSpec(name="constant", id=0, title="Constant", formula=r"\alpha_t = \alpha_0"),
)
