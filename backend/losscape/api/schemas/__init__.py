"""Request and response models of the REST API and the live channel, by role.

``builders`` makes models from the registry (scalars, tagged unions of surfaces,
schedules and optimizers); ``requests`` and ``responses`` hold the surface
endpoints' bodies, ``catalog`` the catalogue's, ``network_requests`` (imported
on its own: it loads the networks) the network endpoints'. This package
re-exports the first four, so ``schemas.TrajectoriesRequest`` keeps working.
"""

from __future__ import annotations

from .builders import (  # noqa: F401  (re-exported: the package facade)
    EXPRESSIONS_AVAILABLE,
    HYPERPARAM_MODELS,
    MAX_BODY_BYTES,
    MAX_EXPRESSION_LENGTH,
    MAX_USER_MINIMA,
    MOMENTUM_NAMES,
    OPTIMIZER_NAMES,
    SCHEDULE_VARIANTS,
    SURFACE_NAMES,
    SURFACE_VARIANTS,
    UNKNOWN_NAME_ERRORS,
    WEB_MAX_BASIN_RESOLUTION,
    Arrows,
    BatchSize,
    Coordinate,
    ExpressionSurface,
    GridResolution,
    Noise,
    Out,
    Point,
    Precision,
    RunRef,
    ScheduleRef,
    Seed,
    Steps,
    Strict,
    SurfaceRef,
    Tol,
    View,
    _camel,
    _field_name,
    _optimizer_fields,
    _optimizer_tag,
    _str_or_none,
    _tagged_union,
    _with_examples,
    bounded_int,
    dump_params,
    fields_of,
    hyperparams_of,
    params_model,
    schedule_args,
    surface_arg,
    unknown_field_message,
)
from .catalog import (  # noqa: F401  (re-exported: the package facade)
    CatalogResponse,
    LRRange,
    OptimizerInfo,
    ParamOut,
    ScheduleInfo,
    SurfaceInfo,
)
from .requests import (  # noqa: F401  (re-exported: the package facade)
    MOMENTUM_OPTIMIZERS,
    BasinsRequest,
    GridRequest,
    HessianRequest,
    LRMomentumRequest,
    LRSweepRequest,
    TrajectoriesRequest,
)
from .responses import (  # noqa: F401  (re-exported: the package facade)
    ArrowsOut,
    BasinsResponse,
    CriticalPointOut,
    ErrorItem,
    ErrorResponse,
    GridResponse,
    HealthResponse,
    HessianResponse,
    LRMomentumResponse,
    LRSweepResponse,
    MinimumOut,
    Num,
    RunOut,
    Status,
    SurfaceOut,
    TrajectoriesResponse,
)
