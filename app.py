"""The dashboard: ``solara run app.py`` (from the repository root) or ``latam-ai viz``.

The page lives in :mod:`dashboard.page`; importing this file first puts the vendored front
end into Solara's asset cache (:func:`dashboard.offline.provide_frontend`), so the page
loads with no network and no install step, and builds the default models and charts once
(:func:`dashboard.page.warm_up`), so that the first page is drawn sooner.
"""

from dashboard.offline import provide_frontend
from dashboard.page import Page, warm_up

provide_frontend()
warm_up()

__all__ = ["Page"]
