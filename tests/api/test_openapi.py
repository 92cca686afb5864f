"""Schema fuzzing: schemathesis over the whole OpenAPI document, in process (ASGI), all checks.

The documented schemas are exact enough that every body they allow is accepted
(positive data) and every body they forbid is refused with a 4xx (negative
data). The hooks below state the few rules JSON Schema cannot express, for
generated *valid* bodies only: ordered pairs (xmin < xmax, lr_min < lr_max,
momentum_min < momentum_max), the sweep work budget, a basin radius within the
view's diagonal, and typed-in formulas (a grammar, not a schema). They also cap
the work of each generated request so the suite stays quick.

Phases: the schema's examples and 30 generated cases per operation. The
coverage phase (boundary values of every field; thousands of requests per
operation with this registry) is bounded by nothing, so it runs only with
``LOSSCAPE_FUZZ_COVERAGE=1``.
"""

from __future__ import annotations

import math
import os
from typing import Any

import hypothesis
import pytest

schemathesis = pytest.importorskip("schemathesis")

from losscape.api import schemas  # noqa: E402
from losscape.api.app import create_app  # noqa: E402
from losscape.api.operations import EXPRESSIONS_AVAILABLE  # noqa: E402

FUZZ_WORK = 20_000  # runs x steps per generated request (responses stay small to validate)
VALID_FORMULA = "x**2 + 3*y**2"

COVERAGE = os.environ.get("LOSSCAPE_FUZZ_COVERAGE") == "1"
CONFIG = schemathesis.config.SchemathesisConfig.from_dict(
    {"phases": {"coverage": {"enabled": COVERAGE}}}
)
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(), config=CONFIG)


def _positive(case: Any) -> bool:
    meta = getattr(case, "meta", None)
    return meta is not None and meta.generation.mode.is_positive


def _fix_pair(body: dict[str, Any], lo: str, hi: str) -> bool:
    a, b = body.get(lo), body.get(hi)
    if (a is None) != (b is None):  # one given: the defaults (ordered) for both
        body.pop(lo, None)
        body.pop(hi, None)
        return True
    if a is None or b is None:
        return True
    if a == b:
        return False
    if a > b:
        body[lo], body[hi] = b, a
    return True


def _fix_view(view: Any) -> bool:
    if not isinstance(view, list) or len(view) != 4:
        return True
    for i in (0, 2):
        if view[i] == view[i + 1]:
            return False
        if view[i] > view[i + 1]:
            view[i], view[i + 1] = view[i + 1], view[i]
    return True


def _param_name_ok(name: str) -> bool:
    from losscape.expressions.lexer import check_param_name

    try:
        check_param_name(name)
    except ValueError:
        return False
    return True


def _fix_surface(surface: Any) -> bool:
    if isinstance(surface, dict) and "expression" in surface:
        if not EXPRESSIONS_AVAILABLE:
            return False
        surface["expression"] = VALID_FORMULA
        params = surface.get("params")
        if isinstance(params, dict):
            # Parameters exist only where the formula uses them: keep the well-formed names
            # and put each into the formula.
            keep = {k: v for k, v in params.items() if _param_name_ok(k)}
            surface["params"] = keep
            surface["expression"] += "".join(f" + {k}*x" for k in keep)
        return _fix_view(surface.get("view"))
    return True


def _cap(body: dict[str, Any], runs: int) -> None:
    steps = body.get("steps", 200)
    if runs * steps > FUZZ_WORK:
        body["steps"] = max(1, FUZZ_WORK // runs)


NETWORK_TASKS = {"ravine": "regression", "uncentred": "regression", "blobs": "multiclass"}
MODEL_TASKS = {
    "linear_regression": "regression",
    "logistic_regression": "binary",
    "softmax_regression": "multiclass",
}
VALID_CSV = "x1,x2,label\n" + "".join(f"{i},{i % 3},{i % 2}\n" for i in range(20))


def _small(body: dict[str, Any], key: str, cap: int) -> None:
    if isinstance(body.get(key), (int, float)) and body[key] > cap:
        body[key] = cap


def _prepare_network(body: dict[str, Any], path: str) -> None:
    """Networks: small data, a model that fits the task, a few cheap steps."""
    data = body.get("dataset")
    if isinstance(data, dict) and "csv" in data:
        data["csv"] = VALID_CSV
    if path in ("/api/networks/metrics",) and isinstance(data, dict):
        if NETWORK_TASKS.get(data.get("name", "")) == "regression":
            body["dataset"] = data = {"name": "moons"}
        if "csv" in data and data.get("task") == "regression":  # metrics need classes
            data["task"] = "binary"
        body["validation"] = max(body.get("validation", 0.2), 0.2)
    if isinstance(data, dict) and "name" in data and not isinstance(data.get("params"), dict):
        data["params"] = {"n": 120}
    params = data.get("params") if isinstance(data, dict) else None
    if isinstance(params, dict):
        _small(params, "n", 120)
        if data.get("name") == "screening":
            params["n"] = 120
            params["positive_rate"] = max(params.get("positive_rate", 0.1), 0.1)
    task = None
    if isinstance(data, dict):  # an uploaded CSV names its own task
        task = data.get("task") if "csv" in data else NETWORK_TASKS.get(data.get("name", ""))
        task = task or "binary"
    model = body.get("model")
    if isinstance(model, dict):
        if model.get("name") in MODEL_TASKS and MODEL_TASKS[model["name"]] != task:
            body["model"] = model = {"name": "mlp"}
        if isinstance(model.get("params"), dict):
            model["params"].pop("loss", None)
            # batch normalisation refuses one-point batches and the gradient-noise study (422)
            model["params"].pop("batch_norm", None)
    if path.rsplit("/", 1)[1] in ("train", "metrics", "boundary"):
        body.pop("epochs", None)
        body["steps"] = min(body.get("steps") or 20, 40)
    for key, cap in (("batch_size", 10), ("max_steps", 30), ("resolution", 21), ("draws", 40)):
        _small(body, key, cap)
    if path == "/api/networks/batch-size" and isinstance(body.get("lrs"), list):
        # a study whose every rate diverges is refused (422): keep the rates stable
        body["lrs"] = [min(lr, 0.1) for lr in body["lrs"] if isinstance(lr, (int, float))] or None
    if isinstance(body.get("sizes"), list):
        body["sizes"] = [min(s, 4) for s in body["sizes"] if isinstance(s, (int, float))] or None
    if path == "/api/networks/landscape":
        _small(body, "steps", 30)
        body.pop("directions", None)
        body.pop("records", None)
        for run in body.get("optimizers") or []:
            if isinstance(run, dict):
                run.pop("hyperparams", None)
                run.pop("lr", None)


def _prepare(body: Any, path: str) -> bool:
    """Make a valid body satisfy the cross-field rules and the work cap; False if it cannot."""
    if not isinstance(body, dict):
        return True
    if path.startswith("/api/networks/"):
        _prepare_network(body, path)
    ok = _fix_surface(body.get("surface")) and _fix_view(body.get("view"))
    ok = ok and _fix_pair(body, "lr_min", "lr_max")
    ok = ok and _fix_pair(body, "momentum_min", "momentum_max")
    if path == "/api/trajectories":
        _cap(body, len(body.get("runs", [])))
    elif path == "/api/sweeps/lr":
        _cap(body, body.get("count", 50))
        if body.get("curves"):
            body["count"] = min(body.get("count", 50), 50)
    elif path == "/api/sweeps/basins":
        g = body.get("resolution", 64)
        _cap(body, g * g)
        body.setdefault("steps", 500)
        _cap(body, g * g)
        view = body.get("view")
        if body.get("radius") is not None and isinstance(view, list):
            diag = math.hypot(view[1] - view[0], view[3] - view[2])
            body["radius"] = min(body["radius"], diag)
        elif body.get("radius") is not None:
            body.pop("radius")
    elif path == "/api/scenes/claims":  # a step that exists, on the (fast) classroom page
        from losscape import scenes

        steps = {s["id"]: len(s["steps"]) for s in scenes.scenes()}
        body["page"] = "surfaces"
        if body.get("scene") not in steps:
            body["scene"] = "saddle"
        body["step"] = min(body.get("step", 0), steps[body["scene"]] - 1)
    elif path == "/api/sweeps/lr-momentum":
        _cap(body, body.get("lr_count", 40) * body.get("momentum_count", 40))
    elif path.startswith(("/api/saved-scenes", "/api/lectures")):
        _prepare_lecture(body, path)
    return ok


def _prepare_lecture(body: dict[str, Any], path: str) -> None:
    """Saved scenes and lectures: a real page state and existing scene ids (the state's
    rules are the page's, checked field by field beyond what JSON Schema says)."""
    from losscape import scenes

    states = {
        "surfaces": scenes.step_state("saddle", 0),
        "networks": scenes.network_scenes()[0]["steps"][0]["state"],
    }
    body["title"] = "A title"  # no control characters, not blank
    if path.startswith("/api/saved-scenes"):
        body["state"] = states.get(body.get("page"), states["surfaces"])
        body["caption"] = ""
    elif path == "/api/lectures/import":
        keys = []
        for i, scene in enumerate(body.get("scenes") or []):
            scene.update(key=f"k{i}", title="A title", caption="")
            scene["state"] = states.get(scene.get("page"), states["surfaces"])
            keys.append(scene["key"])
        body["order"] = keys or ["saddle"]
    else:
        body["scenes"] = ["saddle"]


@schema.hook
def filter_case(context: Any, case: Any) -> bool:
    """Generated valid bodies: fixed up to satisfy the cross-field rules, or dropped."""
    return not _positive(case) or _prepare(case.body, case.operation.path)


MAX_EXPLICIT = 30  # the schema's examples, combined per operation, are capped like fuzzing


@schema.hook
def before_add_examples(context: Any, examples: list[Any]) -> None:
    """The schema's own examples (valid by construction): same fix-ups, at most 30 of them."""
    kept = [case for case in examples if _prepare(case.body, case.operation.path)]
    step = max(1, -(-len(kept) // MAX_EXPLICIT))
    examples[:] = kept[::step]


@schema.parametrize()
@hypothesis.settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=list(hypothesis.HealthCheck),
    derandomize=True,
)
def test_api_conforms_to_its_openapi(case: Any) -> None:
    if (
        case.operation.path == "/api/sweeps/lr-momentum"
        and not schemas.MOMENTUM_OPTIMIZERS
        and _positive(case)
    ):
        # no optimizer with momentum in the registry yet: no body is valid
        assert case.call().status_code == 422
        return
    case.call_and_validate()


# --------------------------------------------------------------------------- the document itself

OPENAPI = create_app().openapi()

OPERATION_IDS = {
    ("get", "/api/catalog"): "catalog",
    ("get", "/healthz"): "healthz",
    ("post", "/api/trajectories"): "trajectories",
    ("post", "/api/grid"): "grid",
    ("post", "/api/hessian"): "hessian",
    ("post", "/api/sweeps/lr"): "sweep_lr",
    ("post", "/api/sweeps/basins"): "sweep_basins",
    ("post", "/api/sweeps/lr-momentum"): "sweep_lr_momentum",
    ("post", "/api/networks/train"): "network_train",
    ("post", "/api/networks/metrics"): "network_metrics",
    ("post", "/api/networks/boundary"): "network_boundary",
    ("post", "/api/networks/landscape"): "network_landscape",
    ("post", "/api/networks/gradient-check"): "network_gradient_check",
    ("post", "/api/networks/gradient-noise"): "network_gradient_noise",
    ("post", "/api/networks/batch-size"): "network_batch_size",
    ("post", "/api/networks/dataset"): "network_dataset",
    ("post", "/api/saved-scenes"): "create_saved_scene",
    ("get", "/api/saved-scenes/{scene_id}"): "get_saved_scene",
    ("put", "/api/saved-scenes/{scene_id}"): "update_saved_scene",
    ("delete", "/api/saved-scenes/{scene_id}"): "delete_saved_scene",
    ("post", "/api/lectures"): "create_lecture",
    ("post", "/api/lectures/import"): "import_lecture",
    ("get", "/api/lectures/{lecture_id}"): "get_lecture",
    ("put", "/api/lectures/{lecture_id}"): "update_lecture",
    ("delete", "/api/lectures/{lecture_id}"): "delete_lecture",
    ("get", "/api/lectures/{lecture_id}/export"): "export_lecture",
}


def _operations() -> dict[tuple[str, str], dict[str, Any]]:
    return {(m, p): op for p, ops in OPENAPI["paths"].items() for m, op in ops.items()}


def test_operation_ids_are_the_operation_names():
    """Readable ids (a generated client's method names), the same as the live channel's types."""
    from losscape.api.operations import OPERATIONS

    ids = {key: op["operationId"] for key, op in _operations().items()}
    scenes = {k: v for k, v in ids.items() if k[1].startswith("/api/scenes")}
    rooms = {k: v for k, v in ids.items() if k[1].startswith("/api/rooms")}
    assert set(rooms.values()) == {
        "room_create", "room_get", "room_qr", "room_question", "room_reveal", "room_vote",
    }  # fmt: skip
    assert {k: v for k, v in ids.items() if k not in scenes | rooms} == OPERATION_IDS
    store = ("/api/saved-scenes", "/api/lectures")  # the lecture store's, not computations
    posts = {v for (m, p), v in OPERATION_IDS.items() if m == "post" and not p.startswith(store)}
    assert posts <= set(OPERATIONS)


def _resolve(node: Any) -> Any:
    ref = node.get("$ref") if isinstance(node, dict) else None
    return OPENAPI["components"]["schemas"][ref.rsplit("/", 1)[1]] if ref else node


def _untyped(node: Any, path: str, seen: set[str]) -> list[str]:
    """Places in a schema that say nothing of their value ({} or a bare object)."""
    if isinstance(node, dict) and "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[1]
        if name in seen:
            return []
        seen.add(name)
        return _untyped(_resolve(node), name, seen)
    if not isinstance(node, dict):
        return []
    keys = set(node) - {"title", "description", "examples", "default"}
    if not keys:
        return [path]
    if node.get("type") == "object" and "properties" not in node:
        extra = node.get("additionalProperties")
        if not isinstance(extra, dict) or not _typed(extra):
            return [path]
    out = []
    for k in ("properties",):
        for name, sub in node.get(k, {}).items():
            out += _untyped(sub, f"{path}.{name}", seen)
    for k in ("items", "additionalProperties"):
        if isinstance(node.get(k), dict):
            out += _untyped(node[k], f"{path}[]", seen)
    for k in ("anyOf", "oneOf", "allOf", "prefixItems"):
        for i, sub in enumerate(node.get(k, [])):
            out += _untyped(sub, f"{path}|{i}", seen)
    return out


def _typed(node: dict[str, Any]) -> bool:
    return bool(set(node) & {"type", "$ref", "anyOf", "oneOf", "allOf", "const", "enum"})


def test_the_untyped_finder_finds_planted_holes():
    assert _untyped({"type": "object", "properties": {"a": {}}}, "X", set()) == ["X.a"]
    assert _untyped({"type": "object", "additionalProperties": True}, "X", set()) == ["X"]
    assert _untyped({"type": "array", "items": {"type": "number"}}, "X", set()) == []


def test_every_network_response_is_typed():
    for (_, path), op in _operations().items():
        if not path.startswith("/api/networks"):
            continue
        content = op["responses"]["200"].get("content", {}).get("application/json", {})
        schema = content.get("schema", {})
        assert "$ref" in schema, (path, schema)
        assert _untyped(schema, path, set()) == [], path


def test_metrics_response_is_a_discriminated_union():
    node = OPENAPI["components"]["schemas"]["MetricsResponse"]
    assert node["discriminator"]["propertyName"] == "task"
    assert set(node["discriminator"]["mapping"]) == {"binary", "multiclass"}


def test_tagged_unions_carry_an_openapi_discriminator():
    """Where every variant names its tag in one field, the union says so, and each
    mapping entry leads to the variant whose field is that very constant."""
    components = OPENAPI["components"]["schemas"]
    found: dict[str, int] = {}

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            d = node.get("discriminator")
            if d and "oneOf" in node:
                key = d["propertyName"]
                found[key] = found.get(key, 0) + 1
                for tag, ref in d["mapping"].items():
                    target = components[ref.rsplit("/", 1)[1]]
                    assert target["properties"][key]["const"] == tag, (ref, tag)
                    assert key in target["required"]
            for v in node.values():
                visit(v)
        elif isinstance(node, list):
            for v in node:
                visit(v)

    visit(OPENAPI)
    # runs and sweep bodies by optimizer; schedules and models by name; metrics by task
    assert found.get("optimizer", 0) >= 4
    assert found.get("name", 0) >= 2
    assert found.get("task", 0) >= 1
    body = OPENAPI["paths"]["/api/sweeps/lr"]["post"]["requestBody"]["content"]
    assert body["application/json"]["schema"]["discriminator"]["propertyName"] == "optimizer"
