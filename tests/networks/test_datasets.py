"""Generated data sets, the stratified split and the CSV reader."""

from __future__ import annotations

import numpy as np
import pytest

from losscape.networks import datasets as ds


def make(name: str, **params: float) -> ds.Dataset:
    spec = ds.DATASET_BY_NAME[name]
    values = {p.name: float(params.get(p.name, p.default)) for p in spec.params}
    return ds.generate(spec, values, validation=0.2, split_seed=int(values["seed"]))


@pytest.mark.parametrize("spec", ds.DATASETS, ids=lambda s: s.name)
def test_every_set_is_seeded_and_well_formed(spec):
    a = make(spec.name)
    b = make(spec.name)
    c = make(spec.name, seed=1)
    n = int(next(p.default for p in spec.params if p.name == "n"))
    assert a.X.shape == (n, 2) and a.t.shape == (n,)
    assert np.all(np.isfinite(a.X)) and np.all(np.isfinite(a.t))
    np.testing.assert_array_equal(a.X, b.X)
    assert not np.array_equal(a.X, c.X)
    assert a.task == spec.task
    if spec.task != "regression":
        assert set(np.unique(a.t)) == set(range(a.classes))
    # The split is a partition.
    both = np.concatenate([a.train, a.validation])
    assert sorted(both.tolist()) == list(range(n))


def test_ravine_matches_the_lecture_table():
    d = make("ravine")
    x1, x2 = d.X[:, 0], d.X[:, 1]
    assert x1.min() >= 50 and x1.max() <= 400  # "in the hundreds"
    assert x2.min() >= 0.0018 and x2.max() <= 0.0033  # the table's 0.00183 .. 0.00323
    assert d.t.min() > 2.0 and d.t.max() < 6.0 and 3.0 < d.t.mean() < 5.0
    # No intercept: the 2-weight least-squares fit explains t up to the noise.
    w, res, *_ = np.linalg.lstsq(d.X, d.t, rcond=None)
    assert np.sqrt(res[0] / len(d.t)) < 0.3
    np.testing.assert_allclose(w, [0.001, 1500.0], rtol=0.3)
    # The curvature of E(w1, w2) differs by many orders of magnitude: a needle-thin ravine.
    eig = np.linalg.eigvalsh(d.X.T @ d.X / len(d.t))
    assert eig[1] / eig[0] > 1e9


def test_uncentred_inputs_are_near_1000():
    d = make("uncentred")
    assert np.all(np.abs(d.X - 1000) < 20)
    assert 3.0 < d.t.mean() < 5.0
    eig = np.linalg.eigvalsh(d.X.T @ d.X / len(d.t))
    assert eig[1] / eig[0] > 1e4


@pytest.mark.parametrize(
    ("n", "rate", "positives"), [(1000, 0.01, 10), (300, 0.1, 30), (50, 0.001, 1)]
)
def test_screening_has_the_asked_positive_rate(n, rate, positives):
    d = make("screening", n=n, positive_rate=rate)
    assert int(d.t.sum()) == positives
    # Stratified: positives land in both parts when there are two or more.
    if positives >= 2:
        assert d.t[d.validation].sum() >= 1 and d.t[d.train].sum() >= 1


def test_blobs_have_k_balanced_classes():
    d = make("blobs", classes=5, n=500)
    assert d.classes == 5
    assert np.bincount(d.t.astype(int)).tolist() == [100] * 5


def test_split_fractions_and_empty_validation():
    t = np.array([0.0] * 90 + [1.0] * 10)
    train, val = ds.split(t, "binary", 0.2, 0)
    assert len(val) == 20 and t[val].sum() == 2
    assert np.intersect1d(train, val).size == 0
    train, val = ds.split(t, "binary", 0.0, 0)
    assert len(val) == 0 and len(train) == 100


def test_csv_reads_headers_and_separators():
    text = "# my data\nheight;weight;label\n1;2;0\n\n3;4;1\n5;6;1\n7;8;0\n"
    X, t, task, k, names = ds.parse_csv(text)
    assert names == ("height", "weight") and task == "binary" and k == 2
    np.testing.assert_array_equal(X, [[1, 2], [3, 4], [5, 6], [7, 8]])
    np.testing.assert_array_equal(t, [0, 1, 1, 0])
    X, t, task, k, _ = ds.parse_csv("1,2,0.5\n2,3,1.5\n3,4,2\n4,5,7")
    assert task == "regression" and k == 1
    _, _, task, k, _ = ds.parse_csv("1\t2\t0\n2\t3\t1\n3\t4\t2\n4\t5\t2")
    assert task == "multiclass" and k == 3
    _, _, task, _, _ = ds.parse_csv("1,2,0\n2,3,1\n3,4,2\n4,5,2", task="regression")
    assert task == "regression"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("1,2,0\n2,3,1\n3,x,0\n4,5,1", r"line 3, column 2: 'x' is not a number"),
        (
            "a,b,c\n1,2,0\n2,3\n3,4,0\n4,5,1",
            r"line 3: expected 3 columns \(x1, x2, label\), found 2",
        ),
        ("1,2,0\n2,3,1\n3,nan,0\n4,5,1", r"line 3, column 2: 'nan' is not finite"),
        ("1,2,0\n2,3,1\n3,4,inf\n4,5,1", r"line 3, column 3: 'inf' is not finite"),
        ("1,2e7,0\n2,3,1\n3,4,0\n4,5,1", r"line 1, column 2: 2e\+07 is beyond"),
        ("1,2,0\n2,3,1", "at least 4"),
        ("1,2,0\n2,3,3\n3,4,0\n4,5,3", r"class\(es\) 1, 2 have no rows"),
    ],
)
def test_csv_errors_name_the_line_and_column(text, message):
    with pytest.raises(ValueError, match=message):
        ds.parse_csv(text)


def test_csv_limits_and_task_checks():
    rows = "\n".join(f"{i},{i},0" if i % 2 else f"{i},{i},1" for i in range(ds.MAX_POINTS + 1))
    with pytest.raises(ValueError, match=r"at most 5,000"):
        ds.parse_csv(rows)
    with pytest.raises(ValueError, match="binary labels must be 0 or 1"):
        ds.parse_csv("1,2,0\n2,3,1\n3,4,2\n4,5,1", task="binary")
    with pytest.raises(ValueError, match="whole number"):
        ds.parse_csv("1,2,0.5\n2,3,1\n3,4,2\n4,5,1", task="multiclass")
    with pytest.raises(ValueError, match="valid tasks: auto, regression, binary, multiclass"):
        ds.parse_csv("1,2,0", task="ranking")
    d = ds.from_csv("x,y,c\n" + "\n".join(f"{i},{-i},{i % 2}" for i in range(40)))
    assert d.name == "csv" and d.feature_names == ("x", "y") and len(d.validation) == 8


def test_csv_from_spreadsheets_and_pandas():
    """Files as other tools write them: a UTF-8 BOM, every field quoted, pandas' index column."""
    import csv
    import io

    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(3)
    X = np.round(rng.normal(size=(12, 2)), 6)
    t = np.arange(12) % 2
    # Excel's "CSV UTF-8": a byte-order mark before the header.
    text = "\ufeffheight,weight,label\n" + "".join(
        f"{a},{b},{c}\n" for (a, b), c in zip(X, t, strict=True)
    )
    Xp, tp, task, _, names = ds.parse_csv(text)
    assert names == ("height", "weight") and task == "binary"
    np.testing.assert_array_equal(Xp, X)
    # Every field quoted (csv.QUOTE_ALL), including a name with the separator in it.
    buf = io.StringIO()
    w = csv.writer(buf, quoting=csv.QUOTE_ALL)
    w.writerow(["height, cm", "weight", "label"])
    w.writerows([[a, b, c] for (a, b), c in zip(X, t, strict=True)])
    Xp, tp, _, _, names = ds.parse_csv(buf.getvalue())
    assert names == ("height, cm", "weight")
    np.testing.assert_array_equal(Xp, X)
    np.testing.assert_array_equal(tp, t)
    # pandas' to_csv() with its index: ",x1,x2,label" then "0,...", "1,...".
    df = pd.DataFrame({"x1": X[:, 0], "x2": X[:, 1], "label": t})
    Xp, tp, _, _, names = ds.parse_csv(df.to_csv())
    assert names == ("x1", "x2")
    np.testing.assert_array_equal(Xp, X)
    np.testing.assert_array_equal(tp, t)
    # ... and without a header (header=False): the 0..N-1 first column is the index.
    Xp, tp, _, _, _ = ds.parse_csv(df.to_csv(header=False))
    np.testing.assert_array_equal(Xp, X)
    # A first column that is not 0..N-1 is data: four columns are still an error.
    with pytest.raises(ValueError, match="expected 3 columns"):
        ds.parse_csv("5,1,2,0\n6,2,3,1\n7,3,4,0\n8,4,5,1")


def test_a_sets_catalogue_row_lists_its_params_as_the_core_catalogue_does():
    from losscape import catalogue

    spec = next(s for s in ds.DATASETS if any(p.name == "positive_rate" for p in s.params))
    params = {p["name"]: p for p in ds.catalogue_entry(spec)["params"]}
    # The imbalanced set's positive rate: 1% by default, 0.1% to 50%, a log slider.
    assert params["positive_rate"] == {
        "name": "positive_rate",
        "default": 0.01,
        "min": 0.001,
        "max": 0.5,
        "kind": "float",
        "log": True,
        "description": "share of positives",
    }
    # Rows with the same fields as a surface's parameters in the core catalogue.
    surface_param = next(s["params"][0] for s in catalogue.surfaces() if s["params"])
    assert all(p.keys() == surface_param.keys() for p in params.values())
