"""Render shopify_app/static/favicon.svg into favicon.ico (16, 32 and 48 px PNGs in one ICO)
with the Chromium the tests use. Run it after changing the SVG:

    .venv/bin/python docs/make_favicon.py
"""

from __future__ import annotations

import struct
from pathlib import Path

from playwright.sync_api import sync_playwright

STATIC = Path(__file__).resolve().parents[1] / "shopify_app" / "static"
SIZES = (16, 32, 48)


def render(svg: str) -> list[tuple[int, bytes]]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox"]
        )
        images = []
        for size in SIZES:
            page = browser.new_page(viewport={"width": size, "height": size})
            page.set_content(
                "<style>html,body{margin:0;background:transparent}"
                f"svg{{width:{size}px;height:{size}px;display:block}}</style>{svg}"
            )
            images.append((size, page.screenshot(omit_background=True)))
        browser.close()
    return images


def ico(images: list[tuple[int, bytes]]) -> bytes:
    """An ICO file whose entries are PNGs (understood by every current browser)."""
    header = struct.pack("<HHH", 0, 1, len(images))
    offset = 6 + 16 * len(images)
    entries, data = b"", b""
    for size, png in images:
        entries += struct.pack("<BBBBHHII", size, size, 0, 0, 1, 32, len(png), offset + len(data))
        data += png
    return header + entries + data


if __name__ == "__main__":
    (STATIC / "favicon.ico").write_bytes(ico(render((STATIC / "favicon.svg").read_text())))
    print(f"wrote {STATIC / 'favicon.ico'}")
