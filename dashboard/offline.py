"""The dashboard's front end from vendored files: no CDN, no install step.

Solara's page loads its JavaScript, CSS and fonts from ``/_solara/cdn/<npm path>``; its
server answers from a cache folder (``SOLARA_ASSETS_PROXY_CACHE_DIR``) and fetches what is
missing from a public CDN. :func:`provide_frontend` copies the vendored files
(``dashboard/assets/cdn``, laid out by npm package as on the CDN; sources and licences in
``dashboard/assets/README.md``) into that cache before the first page is served, so the
page works on a machine that has never been online. Files already cached are kept.
"""

from __future__ import annotations

import shutil
from pathlib import Path

ASSETS = Path(__file__).resolve().parent / "assets"
#: The vendored front end, one folder per npm package and version (``name@version``).
FRONTEND = ASSETS / "cdn"
#: The Vega packages the charts load (folders of :data:`FRONTEND`).
VEGA = "vega@6.2.0"
VEGA_LITE = "vega-lite@6.4.1"
VEGA_EMBED = "vega-embed@7.0.0"


def vendored_files() -> list[Path]:
    """Every vendored front-end file, relative to :data:`FRONTEND`."""
    return sorted(p.relative_to(FRONTEND) for p in FRONTEND.rglob("*") if p.is_file())


def solara_cache() -> Path | None:
    """Solara's cache of CDN files, or ``None`` when its CDN proxy is switched off."""
    import solara.settings
    from solara.server import settings

    if not solara.settings.assets.proxy:
        return None
    return Path(settings.assets.proxy_cache_dir)


def provide_frontend(cache: Path | None = None) -> list[Path]:
    """Copy the vendored front end into Solara's cache (default :func:`solara_cache`);
    returns the files copied (none when all were there). Each file appears whole: it is
    written under a temporary name and renamed."""
    cache = cache if cache is not None else solara_cache()
    if cache is None:
        return []
    copied = []
    for relative in vendored_files():
        target = cache / relative
        if target.is_file():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.partial")
        shutil.copyfile(FRONTEND / relative, partial)
        partial.replace(target)
        copied.append(relative)
    return copied


__all__ = ["FRONTEND", "VEGA", "VEGA_EMBED", "VEGA_LITE", "provide_frontend", "vendored_files"]
