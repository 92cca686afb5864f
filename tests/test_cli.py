"""The command line: run, list and sweep, as a user types them."""

from __future__ import annotations

import json

import numpy as np
import pytest

import losscape
from losscape.cli import main


def test_run_prints_a_summary_matching_the_python_api(capsys):
    assert (
        main(
            ["run", "rosenbrock", "adam", "--lr", "0.02", "--steps", "300", "--start", "-1.5", "2"]
        )
        == 0
    )
    out = capsys.readouterr().out
    run = losscape.trajectory("rosenbrock", "adam", lr=0.02, steps=300, start=(-1.5, 2.0))
    assert out.startswith("adam on rosenbrock, lr 0.02: done")
    assert f"loss {run.loss[-1]:.6g}" in out


def test_run_json_carries_the_whole_run(capsys):
    args = ["run", "ravine", "momentum", "--hp", "momentum=0.5", "--param", "kappa=50", "--json"]
    assert main([*args, "--steps", "40", "--lr", "0.01"]) == 0
    data = json.loads(capsys.readouterr().out)
    run = losscape.trajectory("ravine", "momentum", momentum=0.5, lr=0.01, steps=40,
                              surface_params={"kappa": 50.0})  # fmt: skip
    assert np.allclose(data["path"], run.path) and data["status"] == run.status
    assert data["hyperparams"]["momentum"] == 0.5


def test_diverging_run_says_so_and_json_has_no_nan(capsys):
    assert main(["run", "quadratic", "gd", "--lr", "2.5", "--steps", "100", "--json"]) == 0
    text = capsys.readouterr().out
    assert "NaN" not in text and "Infinity" not in text
    data = json.loads(text)
    assert data["status"] == "diverged" and data["stopped_at"] == len(data["loss"])


def test_bad_names_exit_2_with_the_valid_choices(capsys):
    assert main(["run", "rosenbrok", "gd"]) == 2
    assert "valid surfaces: " in capsys.readouterr().err
    assert main(["run", "rosenbrock", "gd", "--hp", "momentum=0.9"]) == 2
    assert "unknown parameter(s) momentum for gd" in capsys.readouterr().err


def test_list_names_every_catalogue_entry(capsys):
    assert main(["list", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [s["name"] for s in data["surfaces"]] == [s["name"] for s in losscape.surfaces()]
    assert {o["name"] for o in data["optimizers"]} >= {"gd", "momentum", "adam", "newton"}


@pytest.mark.parametrize("suffix", ["json", "npz"])
def test_lr_sweep_writes_the_same_numbers_as_the_api(tmp_path, capsys, suffix):
    out = tmp_path / f"sweep.{suffix}"
    args = ["sweep", "lr", "quadratic", "gd", "--lr-min", "0.1", "--lr-max", "4", "--count", "30"]
    assert main([*args, "--steps", "200", "--serial", "-o", str(out)]) == 0
    assert "100.0%" in capsys.readouterr().err  # the progress bar reached the end
    ref = losscape.lr_sweep("quadratic", "gd", lr_min=0.1, lr_max=4, count=30, steps=200)
    if suffix == "json":
        data = json.loads(out.read_text())
        final = np.array([np.nan if v is None else v for v in data["final_loss"]])
    else:
        data = np.load(out)
        final = data["final_loss"]
    assert np.allclose(data["lrs"], ref.lrs)
    assert np.array_equal(np.isnan(final), np.isnan(ref.final_loss))
    assert np.allclose(final[~np.isnan(final)], ref.final_loss[~np.isnan(ref.final_loss)])


def test_basin_sweep_with_the_parallel_kernel_finds_himmelblaus_four_minima(tmp_path):
    out = tmp_path / "basins.npz"
    args = ["sweep", "basins", "himmelblau", "gd", "--lr", "0.005", "--steps", "2000"]
    assert main([*args, "--resolution", "24", "-o", str(out)]) == 0
    data = np.load(out)
    assert set(np.unique(data["label"])) >= {0, 1, 2, 3}
    ref = losscape.basins("himmelblau", "gd", lr=0.005, steps=2000, resolution=24)
    assert np.array_equal(data["label"], ref.label)
