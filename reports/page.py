"""The report page: the Jinja2 template ``templates/report.html.j2`` filled with sections."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import jinja2
from markupsafe import Markup

TEMPLATE = "report.html.j2"


@cache
def environment() -> jinja2.Environment:
    """The templates shipped in ``reports/templates`` (HTML escaped by default)."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("reports", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_page(title: str, sections: Sequence[tuple[str, str, str]], subtitle: str = "") -> str:
    """The complete HTML document: the title, a table of contents and one ``<section>`` per
    (anchor id, heading, body HTML); the bodies are built (and escaped) by
    :mod:`reports.html`, the rest by the template."""
    parts = [
        {"anchor": anchor, "heading": heading, "body": Markup(body)}
        for anchor, heading, body in sections
    ]
    return (
        environment().get_template(TEMPLATE).render(title=title, subtitle=subtitle, sections=parts)
    )
