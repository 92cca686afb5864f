"""``network_service.MAX_*`` are the one table's values (``losscape.limits``), not a copy."""

from __future__ import annotations

import pytest

from losscape import limits
from losscape import network_service as ns


@pytest.mark.parametrize("name", ["MAX_TRAIN_STEPS", "MAX_SEED", "JSON_SNAPSHOT_VALUES"])
def test_a_limit_read_through_the_package_is_the_tables(name, monkeypatch):
    assert getattr(ns, name) == getattr(limits, name)
    # One owner: changing the table changes what the package answers.
    monkeypatch.setattr(limits, name, 7)
    assert getattr(ns, name) == 7


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="MAX_NO_SUCH_LIMIT"):
        ns.MAX_NO_SUCH_LIMIT  # noqa: B018
    assert not hasattr(ns, "as_dict")  # only the constants, not the table's functions
