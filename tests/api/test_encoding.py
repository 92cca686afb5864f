"""orjson encoding of numpy results: float32 rounding, null for non-finite, fallbacks."""

from __future__ import annotations

import json

import numpy as np

from losscape.api import encoding


def test_float32_rounding_round_trips_exactly() -> None:
    a = np.array([0.1, -1.4999516010284424, 1e-30, 3.0e38, 123456.789])
    out = json.loads(encoding.dumps({"a": encoding.compact(a)}))["a"]
    np.testing.assert_array_equal(np.array(out).astype(np.float32), a.astype(np.float32))
    assert out[0] == 0.1  # shortest repr of float32(0.1), not 0.10000000149011612


def test_non_finite_values_become_null_in_arrays_and_scalars() -> None:
    for dtype in (np.float32, np.float64):
        a = np.array([1.0, np.nan, np.inf, -np.inf], dtype=dtype)
        assert encoding.dumps(a) == b"[1.0,null,null,null]"
    two_d = encoding.compact(np.array([[np.nan, 2.0], [3.0, np.inf]]))
    assert encoding.dumps(two_d) == b"[[null,2.0],[3.0,null]]"
    assert encoding.dumps({"f": float("nan"), "g": np.float64("inf")}) == b'{"f":null,"g":null}'


def test_values_outside_float32_stay_float64() -> None:
    big = encoding.compact(np.array([1.0, 1e50]))
    assert big.dtype == np.float64
    assert json.loads(encoding.dumps(big)) == [1.0, 1e50]
    tiny = encoding.compact(np.array([0.0, 1e-40]))
    assert tiny.dtype == np.float64
    assert json.loads(encoding.dumps(tiny)) == [0.0, 1e-40]
    # non-finite values alone do not force float64
    assert encoding.compact(np.array([np.nan, np.inf, 2.0])).dtype == np.float32


def test_float64_precision_is_exact_and_contiguous() -> None:
    a = np.arange(12.0).reshape(3, 4)[:, 1] / 3
    out = encoding.compact(a, "float64")
    assert out.flags.c_contiguous
    assert json.loads(encoding.dumps(out)) == a.tolist()


def test_frame_splices_an_encoded_body() -> None:
    body = encoding.dumps({"x": [1.0, None]})
    frame = encoding.frame({"id": "t", "type": "result"}, body)
    assert json.loads(frame) == {"id": "t", "type": "result", "body": {"x": [1.0, None]}}
    assert json.loads(encoding.frame({"id": 3, "type": "dropped"})) == {"id": 3, "type": "dropped"}


def test_response_renders_bytes_as_is() -> None:
    r = encoding.ORJSONResponse({"a": np.array([1.5])})
    assert r.body == b'{"a":[1.5]}'
    assert encoding.ORJSONResponse(b'{"b":1}').body == b'{"b":1}'


def test_float32_is_kept_only_when_every_finite_value_fits() -> None:
    # The largest float32 and the smallest normal one fit; a hair beyond does not.
    f32 = np.finfo(np.float32)
    assert encoding.compact(np.array([float(f32.max), -1.0])).dtype == np.float32
    assert encoding.compact(np.array([float(f32.smallest_normal), 0.0])).dtype == np.float32
    assert encoding.compact(np.array([1e-39, 5.0])).dtype == np.float64
    assert encoding.compact(np.array([[1.0, 2.0], [-1e39, 0.0]])).dtype == np.float64
    # with NaN or inf present, the other values still decide
    assert encoding.compact(np.array([np.nan, 1e-40])).dtype == np.float64
    assert encoding.compact(np.array([np.inf, 1e40])).dtype == np.float64
    assert encoding.compact(np.array([-np.inf, 0.5, np.nan])).dtype == np.float32
    assert encoding.compact(np.zeros(3)).dtype == np.float32


def _read_binary(body: encoding.BinaryBody) -> dict:
    """The skeleton with each ``{"$b": [dtype, offset, length, *shape]}`` read from the blob."""

    def read(value):
        if isinstance(value, dict) and set(value) == {"$b"}:
            code, offset, length, *shape = value["$b"]
            assert offset % 8 == 0
            a = np.frombuffer(body.blob, dtype="<" + code, count=length, offset=offset)
            return a.reshape(shape)
        if isinstance(value, dict):
            return {k: read(v) for k, v in value.items()}
        if isinstance(value, list):
            return [read(v) for v in value]
        return value

    return read(json.loads(body.skeleton))


def test_binary_body_carries_every_array_aligned_and_the_scalars_as_they_are() -> None:
    odd = np.array([1.5, -2.25, 3.0], dtype=np.float32)  # 12 bytes: 4 bytes of padding follow
    result = {
        "name": "r",
        "view": [-2.0, 2.0, -1.0, 3.0],
        "runs": [{"x": odd, "n": 3, "ok": True, "none": None}, {"z": np.arange(6.0).reshape(2, 3)}],
        "labels": np.array([0, -1, 7]),
    }
    body = encoding.binary_body(result)
    out = _read_binary(body)
    assert len(body.blob) % 8 == 0
    assert out["name"] == "r" and out["view"] == [-2.0, 2.0, -1.0, 3.0]
    assert out["runs"][0]["n"] == 3 and out["runs"][0]["ok"] is True
    assert out["runs"][0]["none"] is None
    np.testing.assert_array_equal(out["runs"][0]["x"], [1.5, -2.25, 3.0])
    np.testing.assert_array_equal(out["runs"][1]["z"], [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]])
    assert out["labels"].dtype == np.int32
    np.testing.assert_array_equal(out["labels"], [0, -1, 7])
