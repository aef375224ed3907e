"""Opening pages in a real headless Chromium: screenshots and a DOM probe.

Chromium (Debian package ``chromium``; CI installs it) is required: these
helpers fail loudly without it rather than letting a page test pass unseen.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import numpy as np

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
WINDOW = (1100, 2600)
FLAGS = [
    "--headless",
    "--no-sandbox",  # required as root (CI containers)
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
]

PROBE = """<script>
window.addEventListener("load", () => {
  const found = {};
  for (const img of document.querySelectorAll("img[id]")) {
    const box = img.getBoundingClientRect();
    found[img.id] = {natural: [img.naturalWidth, img.naturalHeight], complete: img.complete,
                     box: [box.left + scrollX, box.top + scrollY, box.width, box.height]};
  }
  document.body.setAttribute("data-probe", JSON.stringify(found));
});
</script>"""


def chromium(*args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM, "chromium is not installed (apt-get install chromium); CI installs it"
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        command = [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args]
        return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def screenshot(page: Path, png: Path, window: tuple[int, int] = WINDOW) -> np.ndarray:
    """The page as Chromium renders it: an (height, width, 3) uint8 RGB array."""
    from PIL import Image

    done = chromium(f"--screenshot={png}", f"--window-size={window[0]},{window[1]}", page.as_uri())
    assert png.is_file(), done.stderr[-2000:]
    with Image.open(png) as image:
        return np.asarray(image.convert("RGB"))


def probe_images(page: Path, window: tuple[int, int] = WINDOW) -> dict[str, Any]:
    """Every ``img[id]`` after load: its decoded (natural) size and its box on the page.

    A copy of the page gets a small script; the page itself has none.
    """
    probed = page.with_name(page.stem + ".probe.html")
    probed.write_text(page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"))
    done = chromium(
        "--dump-dom",
        "--virtual-time-budget=5000",
        f"--window-size={window[0]},{window[1]}",
        probed.as_uri(),
    )
    found = re.search(r'data-probe="([^"]*)"', done.stdout)
    assert found, done.stderr[-2000:]
    return dict(json.loads(html.unescape(found.group(1))))


def colour_pixels(region: np.ndarray, rgb: tuple[int, int, int], tolerance: int = 40) -> int:
    """How many pixels of ``region`` are within ``tolerance`` of ``rgb`` in every channel."""
    close = np.abs(region.astype(int) - np.array(rgb)).max(axis=-1) <= tolerance
    return int(close.sum())


def crop(shot: np.ndarray, box: list[float]) -> np.ndarray:
    left, top, width, height = (int(round(v)) for v in box)
    return shot[top : top + height, left : left + width]


def svg_size(data: bytes) -> tuple[int, int]:
    """Width and height of an SVG picture (after checking it parses as one)."""
    root = ElementTree.fromstring(data)
    assert root.tag == "{http://www.w3.org/2000/svg}svg", "not an SVG"
    return int(root.get("width", "0")), int(root.get("height", "0"))
