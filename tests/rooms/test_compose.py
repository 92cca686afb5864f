"""docker-compose.yml (no Docker engine here): it parses, and its parts fit together."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

yaml = pytest.importorskip("yaml")

ROOT = Path(__file__).resolve().parents[2]


def test_two_app_containers_share_one_redis_behind_one_port() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"redis", "app1", "app2", "proxy"}
    for name in ("app1", "app2"):
        app = services[name]
        assert app["build"] == "."
        url = app["environment"]["LOSSCAPE_REDIS_URL"]
        assert re.fullmatch(r"redis://redis:6379/\d+", url)  # the redis service, by name
        assert "localhost" in app["environment"]["LOSSCAPE_ALLOWED_HOSTS"]
        assert app["depends_on"]["redis"]["condition"] == "service_healthy"
    assert "--save" in services["redis"]["command"]  # a room is not worth a disk write
    proxy = services["proxy"]
    assert proxy["ports"] == ["8000:8000"]
    mount = proxy["volumes"][0].split(":")
    assert (ROOT / mount[0]).is_file() and mount[1] == "/etc/nginx/nginx.conf"


def test_the_proxy_spreads_over_both_apps_and_upgrades_websockets() -> None:
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    upstream = re.search(r"upstream losscape \{([^}]*)\}", conf)
    assert upstream is not None
    assert re.findall(r"server (\w+):8000;", upstream.group(1)) == ["app1", "app2"]
    assert "ip_hash" not in conf and "sticky" not in conf  # rooms need no sticky sessions
    assert "proxy_set_header Upgrade $http_upgrade;" in conf
    assert "proxy_set_header Connection $connection_upgrade;" in conf
    assert "proxy_set_header Host $http_host;" in conf  # the app's Host and Origin checks
    assert "listen 8000;" in conf
    assert conf.count("{") == conf.count("}")
