"""``losscape serve --data DIR``: the workers find the folder in LOSSCAPE_DATA_DIR."""

from __future__ import annotations

import os

import pytest

from losscape.cli import main


@pytest.fixture
def fake_serve(monkeypatch):
    import losscape.api.server as server

    seen: dict[str, object] = {}
    monkeypatch.setattr(server, "serve", lambda **kw: seen.update(kw) or 0)
    monkeypatch.delenv("LOSSCAPE_DATA_DIR", raising=False)  # restored after the test
    return seen


def test_data_flag_creates_the_folder_and_exports_it(tmp_path, fake_serve):
    folder = tmp_path / "class" / "data"
    assert main(["serve", "--data", str(folder)]) == 0
    assert folder.is_dir()
    assert os.environ["LOSSCAPE_DATA_DIR"] == str(folder.resolve())
    assert fake_serve["port"] == 8000  # the other flags keep their defaults


def test_an_unwritable_data_folder_is_a_usage_error(tmp_path, fake_serve, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(SystemExit) as err:
        main(["serve", "--data", str(blocker / "sub")])
    assert err.value.code == 2
    assert "--data: cannot write to" in capsys.readouterr().err
    assert "LOSSCAPE_DATA_DIR" not in os.environ
    assert fake_serve == {}
