"""The vendored tree: pinned to Strawberry's hashes, and its check catches breakage."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path

import pytest

from gateway.graphiql import asset_routes, verify_assets
from gateway.graphiql import page as graphiql_page
from gateway.graphiql.assets import ASSETS_DIR, MANIFEST_NAME, load_manifest, manifest_files

UNPKG = re.compile(r"^https://unpkg\.com/(?P<file>.+)$")


class _PinnedTags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.pins: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        url = attributes.get("src") or attributes.get("href") or ""
        if attributes.get("integrity") and (match := UNPKG.match(url)):
            self.pins[match["file"]] = attributes["integrity"] or ""


def strawberry_pins() -> dict[str, str]:
    """unpkg file -> integrity, as pinned by the installed Strawberry's GraphiQL page."""
    page = (resources.files("strawberry") / "static" / "graphiql.html").read_text()
    parser = _PinnedTags()
    parser.feed(page)
    return parser.pins


@pytest.fixture
def assets_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "assets"
    shutil.copytree(ASSETS_DIR, copy)
    return copy


def test_manifest_pins_what_strawberry_pins() -> None:
    pins = strawberry_pins()
    assert len(pins) == 7
    ours = {f.relative_path: f.integrity for f in manifest_files() if f.kind != "license"}
    browser_files = {p: i for p, i in ours.items() if not p.endswith("package.json")}
    assert browser_files == pins


def test_every_package_keeps_its_licence_or_declares_one() -> None:
    for package in load_manifest():
        kinds = {f.kind for f in package.files}
        assert "metadata" in kinds, package.spec  # package.json, which names the licence
        assert package.license == "MIT"
        if package.name != "@graphiql/plugin-explorer":  # ships no LICENSE file of its own
            assert "license" in kinds, package.spec


def test_vendored_tree_is_intact() -> None:
    assert verify_assets() == []
    assert verify_assets(ASSETS_DIR) == []


def test_a_missing_file_is_reported(assets_copy: Path) -> None:
    (assets_copy / "graphiql@3.8.3" / "graphiql.min.js").unlink()
    assert verify_assets(assets_copy) == ["missing: graphiql@3.8.3/graphiql.min.js"]


def test_an_altered_file_is_reported(assets_copy: Path) -> None:
    target = assets_copy / "react@18.2.0" / "umd" / "react.production.min.js"
    target.write_bytes(target.read_bytes() + b"\n")
    (problem,) = verify_assets(assets_copy)
    assert problem.startswith("hash mismatch: react@18.2.0/umd/react.production.min.js")


def test_an_unlisted_file_is_reported(assets_copy: Path) -> None:
    (assets_copy / "js-cookie@3.0.5" / "dist" / "js.cookie.mjs").write_text("export {}")
    assert verify_assets(assets_copy) == ["not in manifest: js-cookie@3.0.5/dist/js.cookie.mjs"]


def test_an_unreadable_manifest_is_reported(assets_copy: Path) -> None:
    (assets_copy / MANIFEST_NAME).write_text("{")
    (problem,) = verify_assets(assets_copy)
    assert problem.startswith("cannot read")


def test_asset_routes_refuse_a_broken_tree(
    assets_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (assets_copy / "@graphiql" / "plugin-explorer@1.0.2" / "dist" / "style.css").unlink()
    monkeypatch.setattr(graphiql_page, "ASSETS_DIR", assets_copy)
    with pytest.raises(RuntimeError, match=r"missing: @graphiql/plugin-explorer@1\.0\.2"):
        asset_routes()
    assert asset_routes(verify=False)
