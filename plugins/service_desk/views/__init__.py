"""The service desk's pages: one Blueprint at /service_desk; each module here adds its routes to it."""

from plugins.service_desk.views import (  # noqa: F401  (importing registers the routes)
    lookup,
    queues,
    reports,
    survey,
    teams,
    ticket_actions,
    tickets,
)
from plugins.service_desk.views.blueprint import bp

__all__ = ["bp"]
