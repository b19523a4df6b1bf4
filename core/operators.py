"""Who is an operator: the one check behind `/metrics` and `/healthz`'s details (ADR 0130).

A request is from the operators' network when EVERY address it carries is inside
`METRICS_ALLOWED_NETWORKS`: the socket's peer (REMOTE_ADDR) and, when a proxy passed it on,
the client address header (`CLIENT_IP_META`, `X-Forwarded-For`). So a citizen's request that
nginx relays from 127.0.0.1 is still a citizen's (nginx sets X-Real-IP to the citizen), and a
header forged by someone reaching a node directly does not help them (their own peer address
is checked too). Prometheus scrapes each node directly, from an allowed address.

Elsewhere (a monitoring service outside that network) `Authorization: Bearer <HEALTHZ_TOKEN>`
opens `/healthz`'s details, never the metrics.
"""

import hmac
import ipaddress
from functools import cache

from django.conf import settings
from django.http import HttpRequest


@cache
def _networks(spec: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in spec)


def _addresses(request: HttpRequest) -> list[str]:
    meta = request.META
    found = [meta.get("REMOTE_ADDR", "")]
    header = settings.CLIENT_IP_META
    if header != "REMOTE_ADDR" and header in meta:
        found.append(meta[header])
    for name in ("HTTP_X_REAL_IP", "HTTP_X_FORWARDED_FOR"):
        if name in meta:
            found.extend(part for part in meta[name].split(","))
    return [address.strip() for address in found]


def from_operators_network(request: HttpRequest) -> bool:
    networks = _networks(tuple(settings.METRICS_ALLOWED_NETWORKS))
    for text in _addresses(request):
        try:
            address = ipaddress.ip_address(text)
        except ValueError:
            return False
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        if not any(address in network for network in networks):
            return False
    return True


def has_health_token(request: HttpRequest) -> bool:
    token = settings.HEALTHZ_TOKEN
    given = request.META.get("HTTP_AUTHORIZATION", "")
    return bool(token) and hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
