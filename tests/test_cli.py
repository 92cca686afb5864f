"""The command line: run, list and sweep, as a user types them."""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
from pathlib import Path

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


@pytest.mark.parametrize("suffix", ["json", "npz", "csv"])
def test_lr_sweep_writes_the_same_numbers_as_the_api(tmp_path, capsys, suffix):
    out = tmp_path / f"sweep.{suffix}"
    args = ["sweep", "lr", "quadratic", "gd", "--lr-min", "0.1", "--lr-max", "4", "--count", "30"]
    assert main([*args, "--steps", "200", "--serial", "-o", str(out)]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""  # no progress bar off a terminal
    assert captured.out == f"wrote {out}\n"
    ref = losscape.lr_sweep("quadratic", "gd", lr_min=0.1, lr_max=4, count=30, steps=200)
    if suffix == "json":
        data = json.loads(out.read_text())
        final = np.array([np.nan if v is None else v for v in data["final_loss"]])
        lrs = data["lrs"]
    elif suffix == "npz":
        data = np.load(out)
        final, lrs = data["final_loss"], data["lrs"]
    else:
        with out.open(newline="") as fh:
            rows = list(csv.DictReader(fh))
        assert list(rows[0]) == ["lr", "final_loss", "best_loss", "status", "stopped_at"]
        final = np.array([float(r["final_loss"]) if r["final_loss"] else np.nan for r in rows])
        lrs = [float(r["lr"]) for r in rows]
        assert [r["status"] for r in rows] == ref.status
    assert np.allclose(lrs, ref.lrs)
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


# --------------------------------------------------------------------------- every flag


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"losscape {losscape.__version__}"


def test_run_honours_every_flag(capsys):
    args = ["run", "ravine", "momentum", "--lr", "0.01", "--steps", "50", "--start", "1", "1",
            "--hp", "momentum=0.5", "--hp", "nesterov=true", "--param", "kappa=10",
            "--schedule", "step", "--schedule-param", "step_size=10",
            "--schedule-param", "gamma=0.5", "--noise", "0.2", "--batch-size", "4", "--seed", "3",
            "--json"]  # fmt: skip
    assert main(args) == 0
    data = json.loads(capsys.readouterr().out)
    ref = losscape.trajectory(
        "ravine", "momentum", lr=0.01, steps=50, start=(1, 1), momentum=0.5, nesterov=True,
        surface_params={"kappa": 10}, schedule="step",
        schedule_params={"step_size": 10, "gamma": 0.5}, noise=0.2, batch_size=4, seed=3,
    )  # fmt: skip
    assert np.allclose(data["path"], ref.path) and np.allclose(data["lrs"], ref.lrs)
    assert data["hyperparams"]["nesterov"] == 1.0


def test_run_on_a_typed_in_formula(capsys):
    args = ["run", "-", "gd", "--expression", "x**2 + 3*y**2", "--start", "1", "1", "--lr", "0.1"]
    assert main([*args, "--steps", "5", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert np.allclose(np.array(data["path"])[:, 0], 0.8 ** np.arange(6))
    assert np.allclose(np.array(data["path"])[:, 1], 0.4 ** np.arange(6))


@pytest.mark.parametrize("suffix", ["json", "csv", "npz", "html"])
def test_run_writes_the_format_of_the_extension(tmp_path, capsys, suffix):
    out = tmp_path / f"run.{suffix}"
    args = ["run", "rosenbrock", "adam", "--lr", "0.02", "--steps", "40", "-o", str(out)]
    assert main(args) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    ref = losscape.trajectory("rosenbrock", "adam", lr=0.02, steps=40)
    if suffix == "json":
        assert np.allclose(json.loads(out.read_text())["loss"], ref.loss)
    elif suffix == "csv":
        with out.open(newline="") as fh:
            rows = list(csv.DictReader(fh))
        assert [float(r["loss"]) for r in rows] == pytest.approx(ref.loss.tolist())
        assert rows[-1]["lr"] == "" and float(rows[0]["lr"]) == 0.02
    elif suffix == "npz":
        assert np.allclose(np.load(out)["path"], ref.path)
    else:
        text = out.read_text()
        assert "<script" in text and not re.search(r"<script[^>]*\bsrc=", text)  # embedded
        assert "Contour: rosenbrock, 1 run" in text


def test_run_records_the_optimizer_state_in_every_format(tmp_path, capsys):
    """--record-state: momentum's velocity is each step's displacement x_t - x_(t-1)."""
    args = ["run", "-", "momentum", "--expression", "x**2 + 3*y**2", "--start", "1", "1"]
    args += ["--lr", "0.05", "--steps", "30", "--hp", "momentum=0.9", "--record-state"]
    assert main([*args, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    path, vel = np.array(data["path"]), np.array(data["state"]["quantities"]["velocity"])
    assert vel.shape == path.shape and np.allclose(vel[1:], np.diff(path, axis=0))
    assert np.allclose(vel[0], 0.0)
    out = tmp_path / "run.csv"
    assert main([*args, "-o", str(out)]) == 0
    with out.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    vx = np.array([float(r["velocity_x"]) for r in rows])
    assert np.allclose(vx[1:], np.diff([float(r["x"]) for r in rows]))
    npz = tmp_path / "run.npz"
    assert main([*args, "-o", str(npz)]) == 0
    assert np.allclose(np.load(npz)["state_velocity"], vel)
    png = tmp_path / "run.html"
    assert main([*args, "-o", str(png)]) == 0  # the internals drawn at the last step
    capsys.readouterr()
    assert main(["run", "quadratic", "gd", "--steps", "5", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["state"] is None  # recorded only on request


def test_run_refuses_json_with_an_output(tmp_path, capsys):
    assert main(["run", "quadratic", "gd", "--json", "-o", str(tmp_path / "a.json")]) == 2
    assert "with -o, write file.json instead" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("output", "message"),
    [
        ("x.txt", "valid: .json, .csv, .npz, .html, .png, .svg"),
        ("missing-dir/x.json", "does not exist"),
        (".", "valid:"),
    ],
)
def test_output_is_checked_before_computing(tmp_path, capsys, monkeypatch, output, message):
    called = []
    monkeypatch.setattr(losscape, "basins", lambda *a, **k: called.append(1))
    args = ["sweep", "basins", "himmelblau", "gd", "-o", str(tmp_path / output)]
    assert main(args) == 2
    assert message in capsys.readouterr().err and not called


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_unwritable_output_is_refused_before_computing(tmp_path, capsys):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    assert main(["run", "quadratic", "gd", "-o", str(locked / "a.json")]) == 2
    assert "permission denied" in capsys.readouterr().err


def test_unwritable_directory_is_refused_for_the_current_user(tmp_path, capsys, monkeypatch):
    # The same check as above, made deterministic for root: os.access says no.
    monkeypatch.setattr(os, "access", lambda path, mode: False)
    assert main(["run", "quadratic", "gd", "-o", str(tmp_path / "a.json")]) == 2
    assert "permission denied" in capsys.readouterr().err


def test_static_images_without_a_browser_are_refused_clearly(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-such-chrome"))
    assert main(["run", "quadratic", "gd", "-o", str(tmp_path / "a.png")]) == 2
    err = capsys.readouterr().err
    assert "needs Chrome or Chromium" in err and "write .html" in err


def _browser_available():
    from losscape.cli.output import find_browser

    try:
        import kaleido  # noqa: F401
    except ImportError:
        return False
    return find_browser() is not None


@pytest.mark.skipif(not _browser_available(), reason="needs kaleido and Chrome/Chromium")
def test_png_and_svg_through_kaleido(tmp_path):
    png, svg = tmp_path / "a.png", tmp_path / "a.svg"
    args = ["sweep", "lr", "ravine", "gd", "--count", "12", "--lr-max", "0.5"]
    assert main([*args, "-o", str(png)]) == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert main([*args, "-o", str(svg)]) == 0
    text = svg.read_text()
    assert text.startswith("<svg") and "2/λ_max = 0.1" in text  # title + edge label drawn
    assert "Learning-rate sweep: gd on ravine" in text


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["basins", "--lr-min", "0.1"], "--lr-min does not apply to a basin map"),
        (["basins", "--lr-max", "2", "--count", "5"], "--lr-max, --count do not apply"),
        (["basins", "--momentum-count", "5"], "--momentum-count does not apply"),
        (["basins", "--curves"], "--curves does not apply"),
        (["basins", "--start", "1", "1"], "--start does not apply"),
        (["lr", "--lr", "0.1"], "--lr does not apply to an lr sweep"),
        (["lr", "--resolution", "8"], "--resolution does not apply"),
        (["lr", "--momentum-count", "8"], "--momentum-count does not apply"),
        (["lr-momentum", "--noise", "1", "--seed", "2"], "--noise, --seed do not apply"),
        (["lr-momentum", "--schedule", "step"], "--schedule does not apply"),
        (["lr-momentum", "--schedule-param", "gamma=0.5"], "--schedule-param does not apply"),
        (["lr-momentum", "--batch-size", "4"], "--batch-size does not apply"),
        (["lr-momentum", "--lr", "0.1"], "--lr does not apply"),
        (["lr-momentum", "--resolution", "8"], "--resolution does not apply"),
        (["lr-momentum", "--curves"], "--curves does not apply"),
    ],
)
def test_sweep_refuses_flags_that_do_not_apply(tmp_path, capsys, argv, message):
    kind, *flags = argv
    opt = "momentum" if kind == "lr-momentum" else "gd"
    assert main(["sweep", kind, "rosenbrock", opt, *flags, "-o", str(tmp_path / "a.json")]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "a.json").exists()


def test_basins_honour_schedule_noise_and_hyperparameters(tmp_path):
    out = tmp_path / "b.npz"
    args = ["sweep", "basins", "himmelblau", "momentum", "--lr", "0.005", "--steps", "300",
            "--resolution", "10", "--hp", "momentum=0.5", "--schedule", "exponential",
            "--schedule-param", "gamma=0.99", "--noise", "2", "--batch-size", "4", "--seed", "5",
            "--serial", "--progress", "never", "-o", str(out)]  # fmt: skip
    assert main(args) == 0
    ref = losscape.basins(
        "himmelblau", "momentum", lr=0.005, steps=300, resolution=10, momentum=0.5,
        schedule="exponential", schedule_params={"gamma": 0.99}, noise=2, batch_size=4, seed=5,
    )  # fmt: skip
    data = np.load(out)
    assert np.array_equal(data["label"], ref.label)
    assert np.allclose(data["final_loss"], ref.final_loss, equal_nan=True)
    plain = losscape.basins("himmelblau", "momentum", lr=0.005, steps=300, resolution=10)
    assert not np.allclose(data["final_loss"], plain.final_loss, equal_nan=True)


def test_lr_sweep_with_curves_schedule_noise_and_an_expression(tmp_path):
    out = tmp_path / "s.npz"
    args = ["sweep", "lr", "-", "gd", "--expression", "x**2 + y**2", "--start", "1", "1",
            "--lr-min", "0.01", "--lr-max", "0.5", "--count", "5", "--steps", "20", "--curves",
            "--schedule", "step", "--schedule-param", "step_size=5", "--noise", "0.1",
            "--seed", "2", "-o", str(out)]  # fmt: skip
    assert main(args) == 0
    ref = losscape.lr_sweep(
        {"expression": "x**2 + y**2"}, "gd", start=(1, 1), lr_min=0.01, lr_max=0.5, count=5,
        steps=20, curves=True, schedule="step", schedule_params={"step_size": 5}, noise=0.1, seed=2,
    )  # fmt: skip
    assert np.allclose(np.load(out)["curves"], ref.curves)


def test_lr_momentum_map_with_its_own_flags(tmp_path):
    out = tmp_path / "m.json"
    args = ["sweep", "lr-momentum", "ravine", "momentum", "--param", "kappa=10", "--count", "4",
            "--momentum-count", "3", "--lr-min", "0.001", "--lr-max", "0.1", "--steps", "30",
            "--start", "1", "1", "-o", str(out)]  # fmt: skip
    assert main(args) == 0
    ref = losscape.lr_momentum_map(
        "ravine", "momentum", surface_params={"kappa": 10}, lr_count=4, momentum_count=3,
        lr_min=0.001, lr_max=0.1, steps=30, start=(1, 1),
    )  # fmt: skip
    data = json.loads(out.read_text())
    assert np.allclose(data["momenta"], ref.momenta) and data["status"] == ref.status


def test_progress_always_draws_a_bar_on_stderr(tmp_path, capsys):
    args = ["sweep", "lr", "quadratic", "gd", "--count", "8", "--progress", "always"]
    assert main([*args, "-o", str(tmp_path / "a.json")]) == 0
    err = capsys.readouterr().err
    assert "lr sweep: 100%" in err and "8/8" in err


def test_bad_key_value_pairs(capsys):
    assert main(["run", "quadratic", "gd", "--hp", "momentum"]) == 2
    assert "--hp must be NAME=VALUE" in capsys.readouterr().err
    assert main(["run", "quadratic", "gd", "--param", "kappa=big"]) == 2
    assert "'big' is not a number" in capsys.readouterr().err


def test_train_honours_its_flags_and_writes_the_history(tmp_path, capsys):
    out = tmp_path / "t.json"
    args = ["train", "moons", "adam", "--model", "mlp", "--hidden", "8", "--activation", "relu",
            "--lr", "0.01", "--steps", "60", "--batch-size", "32", "--hp", "beta1=0.8",
            "--schedule", "cosine", "--init", "he", "--seed", "4", "--validation", "0.25",
            "--progress", "never", "-o", str(out)]  # fmt: skip
    assert main(args) == 0
    ref = losscape.train(
        "moons", {"name": "mlp", "params": {"hidden": [8], "activation": "relu"}}, "adam",
        lr=0.01, steps=60, batch_size=32, beta1=0.8, schedule="cosine", init="he", seed=4,
        validation=0.25,
    )  # fmt: skip
    data = json.loads(out.read_text())
    assert np.allclose(data["train_loss"], ref.train_loss)
    assert data["model_params"]["hidden"] == [8] and data["hyperparams"]["beta1"] == 0.8
    assert f"train loss {ref.train_loss[-1]:.6g}" in capsys.readouterr().out


def test_train_epochs_no_normalize_schedule_params_and_figures(tmp_path):
    csv_out, html = tmp_path / "t.csv", tmp_path / "t.html"
    args = ["train", "blobs", "gd", "--epochs", "3", "--batch-size", "50", "--no-normalize",
            "--schedule", "step", "--schedule-param", "step_size=2", "-o"]  # fmt: skip
    assert main([*args, str(csv_out)]) == 0
    ref = losscape.train("blobs", "mlp", "gd", epochs=3, batch_size=50, normalize=False,
                         schedule="step", schedule_params={"step_size": 2})  # fmt: skip
    with csv_out.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [int(r["step"]) for r in rows] == ref.record_steps.tolist()
    assert main([*args, str(html), "--figure", "curves"]) == 0
    assert "Training and validation loss" in html.read_text()


def test_train_steps_and_epochs_are_exclusive(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["train", "moons", "gd", "--steps", "2", "--epochs", "2"])
    assert exc.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_animate_writes_a_gif_with_every_flag(tmp_path, capsys):
    from PIL import Image

    out = tmp_path / "a.gif"
    args = ["animate", "ravine", "gd", "momentum", "--lr", "0.05", "--lr", "0.02", "--steps",
            "40", "--start", "1.5", "1", "--param", "kappa=10", "--frames", "6", "--fps", "5",
            "--size", "320", "300", "--title", "two runs", "-o", str(out)]  # fmt: skip
    assert main(args) == 0
    assert "(6 frames)" in capsys.readouterr().out
    with Image.open(out) as im:
        assert im.n_frames == 6 and im.size == (320, 300)
        assert im.info["duration"] == 200
        first = np.asarray(im.convert("RGB"))
        im.seek(5)
        last = np.asarray(im.convert("RGB"))
    assert not np.array_equal(first, last)  # the paths grew
    blue = np.array([0x00, 0x72, 0xB2])
    assert np.any(np.all(last == blue, axis=-1))  # run 1 in the palette's blue
    assert main([*args[:4], "--lr", "1", "--lr", "2", "--lr", "3", "-o", str(out)]) == 2
    assert "one --lr for all runs or one per optimizer (2), got 3" in capsys.readouterr().err
    assert main(["animate", "ravine", "gd", "-o", str(tmp_path / "a.avi")]) == 2
    assert "valid: .gif, .webm, .mp4" in capsys.readouterr().err
    assert main(["animate", "ravine", "gd", "--frames", "1", "-o", str(out)]) == 2
    assert "frames must be between 2" in capsys.readouterr().err


@pytest.mark.parametrize(("ext", "codec"), [(".webm", "vp9"), (".mp4", "h264")])
def test_animate_writes_a_video_read_back_frame_by_frame(tmp_path, capsys, ext, codec):
    imageio_ffmpeg = pytest.importorskip("imageio_ffmpeg")
    out = tmp_path / f"a{ext}"
    # An odd width: yuv420p needs even sides, so the video drops one pixel column.
    args = ["animate", "ravine", "gd", "momentum", "--steps", "40", "--frames", "6", "--fps",
            "4", "--size", "321", "300", "-o", str(out)]  # fmt: skip
    assert main(args) == 0
    # 6 drawn frames, the last repeated to hold for a second at 4 fps: 6 + 3.
    assert "(9 frames)" in capsys.readouterr().out
    # Decoded by the same bundled ffmpeg binary, to raw RGB on stdout (its header on stderr).
    exe = imageio_ffmpeg.get_ffmpeg_exe()
    cmd = [exe, "-hide_banner", "-i", str(out), "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]
    done = subprocess.run(cmd, capture_output=True, check=True)
    header = done.stderr.decode()
    assert f"Video: {codec}" in header and "320x300" in header and "4 fps" in header
    raw = np.frombuffer(done.stdout, np.uint8)
    assert raw.size % (300 * 320 * 3) == 0
    frames = list(raw.reshape(-1, 300, 320, 3))
    assert len(frames) == 9

    def change(a, b):
        return float(np.abs(a.astype(int) - b.astype(int)).mean())

    # The paths grew from frame 0 to 5; the held copies differ only by codec noise.
    assert change(frames[0], frames[5]) > 5 * change(frames[5], frames[8])
    # Run 1's blue survives the lossy codec: pixels near (0x00, 0x72, 0xB2).
    blue = np.array([0x00, 0x72, 0xB2])
    assert np.any(np.abs(frames[-1].astype(int) - blue).max(axis=-1) < 40)


def test_video_output_without_imageio_ffmpeg_is_refused_before_computing(
    tmp_path, capsys, monkeypatch
):
    import sys

    monkeypatch.setitem(sys.modules, "imageio_ffmpeg", None)  # import fails
    monkeypatch.setattr(losscape, "trajectory", lambda *a, **k: pytest.fail("computed"))
    assert main(["animate", "ravine", "gd", "-o", str(tmp_path / "a.webm")]) == 2
    assert "pip install 'losscape[video]'" in capsys.readouterr().err


def test_list_names_networks_too(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "datasets:" in out and "moons" in out and "models:" in out


def test_serve_passes_its_flags(monkeypatch):
    seen = {}
    import losscape.api.server as server

    monkeypatch.setattr(server, "serve", lambda **kw: seen.update(kw) or 0)
    argv = ["serve", "--host", "0.0.0.0", "--port", "9001", "--workers", "2", "--open",
            "--log-level", "warning", "--redis", "redis://cache:6379/0"]  # fmt: skip
    assert main(argv) == 0
    assert seen == {"host": "0.0.0.0", "port": 9001, "workers": 2, "open_browser": True,
                    "log_level": "warning", "redis_url": "redis://cache:6379/0"}  # fmt: skip


def test_serve_data_names_the_folder_every_worker_opens(monkeypatch, tmp_path):
    """``serve --data DIR`` creates DIR and exports it as LOSSCAPE_DATA_DIR (workers read it)."""
    import losscape.api.server as server

    monkeypatch.setattr(server, "serve", lambda **kw: 0)
    monkeypatch.setenv("LOSSCAPE_DATA_DIR", "elsewhere")
    folder = tmp_path / "lectures"
    assert main(["serve", "--data", str(folder)]) == 0
    assert folder.is_dir()
    assert os.environ["LOSSCAPE_DATA_DIR"] == str(folder.resolve())


def test_help_mentions_only_real_commands(capsys):
    from losscape.cli.parser import build_parser

    text = build_parser().format_help()
    for sub in ("run", "sweep", "train", "animate"):
        with pytest.raises(SystemExit):
            main([sub, "--help"])
        text += capsys.readouterr().out
    assert "run --list" not in text
    for cmd in re.findall(r"`losscape (\w+)", text):
        assert cmd in ("list", "run", "sweep", "train", "animate", "serve", "warm")


def test_every_flag_of_every_command_is_exercised_here():
    """A guard: each option string of the parser appears in this file's argv lists."""
    import argparse

    from losscape.cli.parser import build_parser

    source = Path(__file__).read_text()
    missing = []
    parser = build_parser()
    subs = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, sub in subs.choices.items():
        for action in sub._actions:
            opts = [o for o in action.option_strings if o not in ("-h", "--help")]
            if opts and not any(f'"{o}"' in source for o in opts):
                missing.append(f"{name} {opts[-1]}")
    assert missing == []
