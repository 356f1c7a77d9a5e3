"""scripts/vendor_graphiql.py, with `npm pack` replaced by a tarball made here (no network)."""

from __future__ import annotations

import importlib.util
import io
import json
import tarfile
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from gateway.graphiql.assets import sri_sha384, verify_assets

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "vendor_graphiql.py"
FILES = {"dist/tool.min.js": b"window.tool = 1;\n", "LICENSE": b"MIT\n", "README.md": b"x"}


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("vendor_graphiql", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_tarball(path: Path) -> None:
    with tarfile.open(path, "w:gz") as archive:
        for name, data in FILES.items():
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))


def write_manifest(root: Path, js_integrity: str) -> None:
    root.mkdir(parents=True, exist_ok=True)
    files = [
        {"path": "dist/tool.min.js", "kind": "script", "integrity": js_integrity},
        {"path": "LICENSE", "kind": "license", "integrity": sri_sha384(FILES["LICENSE"])},
    ]
    package: dict[str, Any] = {"name": "tool", "version": "1.0.0", "license": "MIT"}
    package |= {"tarball_integrity": "sha512-fake", "files": files}
    (root / "manifest.json").write_text(json.dumps({"packages": [package]}))


@pytest.fixture
def script(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    module = load_script()
    tarball = tmp_path / "tool-1.0.0.tgz"
    write_tarball(tarball)
    monkeypatch.setattr(module, "npm_pack", lambda spec, dest: (tarball, "sha512-fake"))
    return module


def test_vendors_only_the_listed_files(script: ModuleType, tmp_path: Path) -> None:
    root = tmp_path / "assets"
    write_manifest(root, sri_sha384(FILES["dist/tool.min.js"]))
    (root / "tool@1.0.0").mkdir()
    (root / "tool@1.0.0" / "stale.js").write_text("left from an older vendoring")
    assert script.main(["--root", str(root)]) == 0
    assert (root / "tool@1.0.0" / "dist" / "tool.min.js").read_bytes() == FILES["dist/tool.min.js"]
    assert not (root / "tool@1.0.0" / "README.md").exists()
    assert not (root / "tool@1.0.0" / "stale.js").exists()
    assert verify_assets(root) == []


def test_a_hash_mismatch_fails_and_writes_nothing(
    script: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "assets"
    write_manifest(root, "sha384-not-what-npm-serves")
    assert script.main(["--root", str(root)]) == 1
    assert "differ from the manifest" in capsys.readouterr().err
    assert not (root / "tool@1.0.0").exists()
