"""The simulators' plumbing, for offline runs and tests (the ``sim`` extra).

A throw-away certificate authority (:class:`LocalAuthority`, with trustme) and
HTTPS serving of an ASGI app such as the LINK simulator inside the running
event loop (:func:`serve_https`, with uvicorn). ``smswire demo`` and the tests
stand up real TLS endpoints on 127.0.0.1 with these.
"""

from __future__ import annotations

from smswire.sim.authority import LocalAuthority
from smswire.sim.https import serve_https

__all__ = ["LocalAuthority", "serve_https"]
