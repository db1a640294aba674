"""Assets: compressed responses, a favicon, Swagger UI served from an installed package."""

from __future__ import annotations

import re
from pathlib import Path

from tests.web.conftest import WebWorld


def test_plotly_is_sent_gzipped_at_a_fraction_of_its_size(sqlite_world: WebWorld) -> None:
    import plotly

    original = (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").stat().st_size
    client = sqlite_world.client
    with client.stream(
        "GET", "/vendor/plotly.min.js", headers={"Accept-Encoding": "gzip"}
    ) as response:
        sent = b"".join(response.iter_raw())
        assert response.headers["content-encoding"] == "gzip"
    assert len(sent) < original * 0.4, (len(sent), original)
    import gzip

    assert len(gzip.decompress(sent)) == original


def test_favicon_is_served(sqlite_world: WebWorld) -> None:
    icon = sqlite_world.client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/x-icon"
    assert icon.content[:4] == b"\x00\x00\x01\x00"
    svg = sqlite_world.client.get("/static/favicon.svg")
    assert svg.status_code == 200 and svg.text.startswith("<svg")


def test_api_docs_come_from_this_server_only(sqlite_world: WebWorld) -> None:
    client = sqlite_world.client
    page = client.get("/api/v1/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert assets and all(a.startswith("/") and not a.startswith("//") for a in assets)
    for asset in assets:
        assert client.get(asset).status_code == 200, asset
    assert client.get("/api/v1/openapi.json").json()["info"]["title"] == "Otklik API"
