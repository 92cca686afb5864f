"""Pure numba + numpy compute: surfaces, optimizers, schedules and kernels. No web code."""
