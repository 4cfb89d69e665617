"""A Vega-Lite (or Vega) chart in the browser whose data grow by patches (only the new rows
per step).

:class:`LiveChart` embeds ``spec_json`` (a Vega-Lite or Vega spec as JSON text) once with
vega-embed (SVG renderer); each change of ``patch`` then inserts rows into, or replaces,
the chart's named data sets
(``{"seq": n, "run": r, "insert": {name: rows}, "replace": {name: rows}}``) without
sending the history again. The patch travels as JSON text (``patch_json``), so the browser
hands Vega plain rows, not reactive copies. Patches that insert rows are numbered: a view
that misses one (or is new, after a page reload) calls ``resync`` and is sent every row
once (``"full": true``); a patch that only replaces data sets may skip numbers (the map is
sent less often while the model plays).

The browser applies patches after it has drawn the page's other changes (the next
animation frame), several waiting patches at once with one redraw, so the month on the
page changes as soon as the server answers and the charts follow.
"""

from __future__ import annotations

import json
from pathlib import Path

import ipyvuetify as v
import traitlets

from dashboard.offline import VEGA, VEGA_EMBED, VEGA_LITE


class LiveChart(v.VuetifyTemplate):
    """A Vega-Lite or Vega spec (``spec_json``) drawn by vega-embed, updated by ``patch``."""

    template_file = str(Path(__file__).resolve().with_name("livechart.vue"))
    spec_json = traitlets.Unicode("{}").tag(sync=True)
    #: The last patch (kept on the Python side; the browser receives ``patch_json``).
    patch = traitlets.Dict()
    patch_json = traitlets.Unicode("").tag(sync=True)
    classes = traitlets.Unicode("").tag(sync=True)
    vega = traitlets.Unicode(VEGA).tag(sync=True)
    vega_lite = traitlets.Unicode(VEGA_LITE).tag(sync=True)
    vega_embed = traitlets.Unicode(VEGA_EMBED).tag(sync=True)
    on_resync = traitlets.Callable(None, allow_none=True)
    on_drawn = traitlets.Callable(None, allow_none=True)

    @traitlets.observe("patch")
    def _send_patch(self, change) -> None:
        # strict JSON (the browser's parser takes no NaN): a NaN here is a bug to fix
        self.patch_json = json.dumps(change["new"], separators=(",", ":"), allow_nan=False)

    def vue_resync(self, *_args) -> None:
        """The browser asks for every row (a new view, or a missed patch)."""
        if self.on_resync is not None:
            self.on_resync()

    def vue_drawn(self, *_args) -> None:
        """The browser has drawn every row it was sent."""
        if self.on_drawn is not None:
            self.on_drawn()


__all__ = ["LiveChart"]
