"""What the notebook tests share: which notebooks exist, a clean kernel environment, secret scans."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = REPO / "notebooks"
EXPECTED = (
    "01-quickstart.ipynb",
    "02-prompt-iteration.ipynb",
    "03-scenes.ipynb",
    "04-batch.ipynb",
    "05-simulators.ipynb",
    "06-inspect-and-simulate.ipynb",
)


def notebook_paths() -> list[Path]:
    """Every committed notebook, in tutorial order (the expected ones must all be there)."""
    return sorted(NOTEBOOK_DIR.glob("*.ipynb"))


def kernel_env(tmp: Path, *, latency: str = "0.05", api_version: str | None = None) -> dict[str, str]:
    """A fresh user's environment for a kernel: no key, private data/cache dirs, fast offline backend.

    A small non-zero latency keeps the pending -> processing -> ready progression real, so the
    notebooks' waits are exercised rather than skipped. ``api_version`` sets ``GIZMO_API_VERSION``
    (``current``: the embedded backend then speaks the job-based contract).
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIZMO_", "JUPYTER_", "JPY_"))}
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    for var, sub in (("GIZMO_DATA_DIR", "gizmo-data"), ("GIZMO_CACHE_DIR", "gizmo-cache"),
                     ("IPYTHONDIR", "ipython"), ("MPLCONFIGDIR", "mpl")):
        (tmp / sub).mkdir(parents=True, exist_ok=True)
        env[var] = str(tmp / sub)
    env["GIZMO_LOCAL_LATENCY"] = latency
    env["PYTHONUNBUFFERED"] = "1"
    if api_version is not None:
        env["GIZMO_API_VERSION"] = api_version
    return env


def local_api_key(data_dir: Path) -> str:
    """The embedded server's default key, as persisted in its data dir (see gizmo_notebook.local.paths)."""
    from gizmo_notebook.local.paths import DEFAULT_KEY_FILE

    key = (data_dir / DEFAULT_KEY_FILE).read_text(encoding="utf-8").strip()
    assert len(key) >= 16, f"unexpectedly short local API key in {data_dir}"
    return key


def leaks(text: str, key: str) -> list[str]:
    """Places in ``text`` where the key, or an Authorization header value, appears."""
    found = []
    for needle in {key, key[: len(key) // 2], key[len(key) // 2 :]}:
        if needle and needle in text:
            i = text.index(needle)
            found.append(f"key material at offset {i}: ...{text[max(0, i - 60):i]}<KEY>...")
    found += [f"Authorization header: {m.group(0)[:30]}" for m in re.finditer(r"Bearer\s+[A-Za-z0-9_\-\.]{8,}", text)]
    return found


def error_outputs(nb: dict[str, Any]) -> list[str]:
    out = []
    for i, cell in enumerate(nb["cells"]):
        for o in cell.get("outputs", []):
            if o.get("output_type") == "error":
                out.append(f"cell {i}: {o.get('ename')}: {o.get('evalue')}")
    return out


def widget_views(nb: dict[str, Any]) -> list[str]:
    """Model ids of every widget view displayed in the notebook's outputs."""
    ids = []
    for cell in nb["cells"]:
        for o in cell.get("outputs", []):
            view = o.get("data", {}).get("application/vnd.jupyter.widget-view+json")
            if view:
                ids.append(view["model_id"])
    return ids


