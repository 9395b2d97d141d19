"""What a prometheus-client registry serves, read as Prometheus reads it: over
HTTP, from prometheus-client's own server thread, as in production."""

from __future__ import annotations

import httpx
from prometheus_client import CollectorRegistry, start_http_server
from prometheus_client.parser import text_string_to_metric_families

# Bounds a broken scrape; never what a test asserts.
PATIENCE = 30.0


Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


async def scrape(registry: CollectorRegistry) -> Samples:
    """Every sample the registry serves, by name and sorted labels."""
    server, thread = start_http_server(0, addr="127.0.0.1", registry=registry)
    try:
        url = f"http://127.0.0.1:{server.server_port}/metrics"
        async with httpx.AsyncClient() as client:
            response = await client.get(url, timeout=PATIENCE)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(PATIENCE)
    assert response.status_code == 200
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }
