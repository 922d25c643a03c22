"""The repository stands alone: its documents link only to what it holds, and the screenshot
script (the README's "See it" pictures) runs."""

from __future__ import annotations

import re
import struct
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
PICTURES = [
    "events",
    "event-form",
    "settings",
    "reports",
    "deliveries",
    "data-requests",
    "storefront-product",
    "outside-admin",
]


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", data[16:24])


def test_documents_never_point_outside_the_repository():
    for document in DOCUMENTS:
        text = document.read_text()
        assert "../shared" not in text and "/work/" not in text, document.name


def test_every_relative_link_and_picture_in_the_documents_exists():
    for document in DOCUMENTS:
        for target in re.findall(r"\]\(([^)#\s]+)", document.read_text()):
            if "://" in target:
                continue
            assert (document.parent / target).exists(), f"{document.name} -> {target}"


def test_the_readme_shows_every_screenshot_and_the_docs_exist():
    readme = (ROOT / "README.md").read_text()
    for name in PICTURES:
        assert f"docs/screenshots/{name}.png" in readme, name
    for name in ("architecture", "contract", "deploy"):
        assert f"docs/{name}.md" in readme, name


def test_the_screenshot_script_writes_every_picture(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "docs" / "screenshots.py"),
            "--out",
            str(tmp_path),
            "--visits",
            "2",
            "--orders",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    for name in PICTURES:
        width, height = png_size(tmp_path / f"{name}.png")
        assert width >= 700 and height >= 300, (name, width, height)
