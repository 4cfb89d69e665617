"""A Vega-Lite chart in the browser whose data grow by patches (only the new rows per step).

:class:`LiveChart` embeds ``spec_json`` (a Vega-Lite spec as JSON text) once with
vega-embed (SVG renderer); each change of ``patch`` then inserts rows into, or replaces,
the chart's named data sets
(``{"seq": n, "insert": {name: rows}, "replace": {name: rows}}``) without sending the
history again. Patches are numbered: a view that misses one (or is new, after a page
reload) calls ``resync`` and is sent every row once (``"full": true``).
"""

from __future__ import annotations

from pathlib import Path

import ipyvuetify as v
import traitlets

from dashboard.offline import VEGA, VEGA_EMBED, VEGA_LITE


class LiveChart(v.VuetifyTemplate):
    """A Vega-Lite spec (``spec_json``) drawn by vega-embed, updated by ``patch``."""

    template_file = str(Path(__file__).resolve().with_name("livechart.vue"))
    spec_json = traitlets.Unicode("{}").tag(sync=True)
    patch = traitlets.Dict().tag(sync=True)
    classes = traitlets.Unicode("").tag(sync=True)
    vega = traitlets.Unicode(VEGA).tag(sync=True)
    vega_lite = traitlets.Unicode(VEGA_LITE).tag(sync=True)
    vega_embed = traitlets.Unicode(VEGA_EMBED).tag(sync=True)
    on_resync = traitlets.Callable(None, allow_none=True)
    on_drawn = traitlets.Callable(None, allow_none=True)

    def vue_resync(self, *_args) -> None:
        """The browser asks for every row (a new view, or a missed patch)."""
        if self.on_resync is not None:
            self.on_resync()

    def vue_drawn(self, *_args) -> None:
        """The browser has drawn every row it was sent."""
        if self.on_drawn is not None:
            self.on_drawn()


__all__ = ["LiveChart"]
