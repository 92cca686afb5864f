"""Request models follow the registry: one variant per name, its bounds and defaults."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError

from losscape import limits
from losscape.api import schemas
from losscape.numerics.optimizers import OPTIMIZERS
from losscape.numerics.schedules import SCHEDULES
from losscape.numerics.surfaces import SURFACES


def _bounds(model: type[BaseModel], name: str) -> tuple[float | None, float | None]:
    field = model.model_fields[name]
    lo = next((m.ge for m in field.metadata if hasattr(m, "ge")), None)
    hi = next((m.le for m in field.metadata if hasattr(m, "le")), None)
    return lo, hi


@pytest.mark.parametrize("spec", SURFACES, ids=lambda s: s.name)
def test_every_surface_has_a_variant_with_its_parameter_bounds(spec) -> None:
    variant = schemas.SURFACE_VARIANTS[spec.name]
    params = variant.model_fields["params"].annotation
    for p in spec.params:
        field_name = schemas._field_name(p.name)[0]
        assert params.model_fields[field_name].default == p.default
        if p.kind != "bool":
            assert _bounds(params, field_name) == (p.min, p.max)


@pytest.mark.parametrize("spec", OPTIMIZERS, ids=lambda s: s.name)
def test_every_optimizer_has_its_lr_and_hyperparameter_bounds(spec) -> None:
    ta = TypeAdapter(schemas.RunRef)
    run = ta.validate_python({"optimizer": spec.name})
    assert run.lr == spec.lr_default
    defaults = schemas.hyperparams_of(run)
    assert defaults == {
        p.name: (bool(p.default) if p.kind == "bool" else p.default) for p in spec.hyperparams
    }
    with pytest.raises(ValidationError):
        ta.validate_python({"optimizer": spec.name, "lr": spec.lr_max * 1.5})
    with pytest.raises(ValidationError):
        ta.validate_python({"optimizer": spec.name, "lr": spec.lr_min / 2})
    for p in spec.hyperparams:
        if p.kind != "bool" and p.max < 1e300:
            with pytest.raises(ValidationError):
                ta.validate_python({"optimizer": spec.name, "hyperparams": {p.name: p.max * 2 + 1}})


@pytest.mark.parametrize("spec", SCHEDULES, ids=lambda s: s.name)
def test_every_schedule_has_a_variant(spec) -> None:
    ta = TypeAdapter(schemas.ScheduleRef)
    sched = ta.validate_python({"name": spec.name})
    assert schemas.schedule_args(sched) == {
        "schedule": spec.name,
        "schedule_params": {
            p.name: (bool(p.default) if p.kind == "bool" else p.default) for p in spec.params
        },
    }


def test_momentum_sweeps_offer_exactly_the_optimizers_with_momentum() -> None:
    expected = {
        o.name for o in OPTIMIZERS if {"momentum", "beta1"} & {p.name for p in o.hyperparams}
    }
    assert {o.name for o in schemas.MOMENTUM_OPTIMIZERS} == expected


def test_web_basin_limit() -> None:
    assert schemas.WEB_MAX_BASIN_RESOLUTION == 256
    assert limits.MAX_BASIN_RESOLUTION >= 256


def _models_with_examples():
    app_schema = __import__("losscape.api.app", fromlist=["create_app"]).create_app().openapi()
    return app_schema["components"]["schemas"]


def test_every_component_has_examples() -> None:
    missing = [name for name, s in _models_with_examples().items() if not s.get("examples")]
    assert missing == []


@pytest.mark.parametrize(
    "model",
    [
        schemas.TrajectoriesRequest,
        schemas.GridRequest,
        schemas.HessianRequest,
        schemas.ExpressionSurface,
        *schemas.SURFACE_VARIANTS.values(),
        *schemas.SCHEDULE_VARIANTS.values(),
        *schemas.HYPERPARAM_MODELS.values(),
    ],
    ids=lambda m: m.__name__,
)
def test_request_examples_are_valid(model: type[BaseModel]) -> None:
    for example in model.model_config["json_schema_extra"]["examples"]:
        model.model_validate(example)


@pytest.mark.parametrize("union", ["LRSweepRequest", "BasinsRequest", "LRMomentumRequest"])
def test_sweep_examples_are_valid(union: str) -> None:
    ta = TypeAdapter(getattr(schemas, union))
    json_schema = ta.json_schema()
    variants = json_schema.get("$defs", {})
    if not schemas.MOMENTUM_OPTIMIZERS and union == "LRMomentumRequest":
        pytest.skip("no optimizer with momentum in the registry yet")
    examples = [
        e
        for v in variants.values()
        if v.get("title", "").endswith("Request")
        for e in v.get("examples", [])
    ]
    assert examples
    for example in examples:
        ta.validate_python(example)


def test_network_response_examples_are_valid() -> None:
    """Each documented example parses as its own model (which forbids extra fields)."""
    from pydantic import RootModel

    from losscape.api.schemas import network_responses as out

    models = [
        m
        for m in vars(out).values()
        if isinstance(m, type)
        and issubclass(m, out.Out | RootModel)
        and m.__module__ == out.__name__
        and m is not out.NetOut
    ]
    assert len(models) >= 15
    for model in models:
        examples = model.model_json_schema().get("examples")
        assert examples, model.__name__
        for example in examples:
            assert model.model_validate(example).model_dump(mode="json") == example


def _params_models() -> list[type[BaseModel]]:
    from losscape.api.schemas import builders
    from losscape.api.schemas import network_requests as nsch

    out: list[type[BaseModel]] = list(builders.HYPERPARAM_MODELS.values())
    for variants in (builders.SURFACE_VARIANTS, builders.SCHEDULE_VARIANTS, nsch.DATASET_VARIANTS):
        for variant in variants.values():
            params = variant.model_fields.get("params")
            if params is not None and isinstance(params.annotation, type):
                out.append(params.annotation)
    return out


@pytest.mark.parametrize("model", _params_models(), ids=lambda m: m.__name__)
def test_dump_params_is_model_dump_by_alias(model: type[BaseModel]) -> None:
    """dump_params reads the fields directly: the same dict as pydantic's own dump."""
    instance = model()
    assert schemas.dump_params(instance) == instance.model_dump(by_alias=True)
    example = model.model_validate(model.model_config["json_schema_extra"]["examples"][0])
    assert schemas.dump_params(example) == example.model_dump(by_alias=True)
    assert schemas.dump_params(None) == {}
