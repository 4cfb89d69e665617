"""The interactive dashboard: a Solara page over running models (``solara run app.py``).

``dashboard.page.Page`` is the page; ``dashboard.session.Session`` steps the models and
keeps the rows each chart has been sent; ``dashboard.charts`` holds the Vega-Lite charts
(built with Altair, drawn in the browser), ``dashboard.world`` the vendored world map and
``dashboard.offline`` puts the vendored front end where Solara's server looks for it.
"""
