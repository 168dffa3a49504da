"""Whom a request counts for: its peer, or the client that a trusted proxy names."""

import ipaddress
from collections.abc import Sequence

from starlette.types import Scope

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def client_key(scope: Scope, trusted_proxies: Sequence[IPNetwork] = ()) -> str:
    """Whom a request counts for: its peer address, or the client a trusted proxy names.

    When the peer is one of `trusted_proxies`, the client is the right-most `X-Forwarded-For`
    address that is not a trusted proxy: each proxy appends the address it received the
    request from, so the addresses on the left are whatever the client wrote. An entry there
    that is not an IP address leaves the peer as the client.
    """
    client = scope.get("client")
    peer: str = client[0] if client else "unknown"
    if not trusted_proxies or not _is_trusted(peer, trusted_proxies):
        return peer
    hops = [
        hop.strip()
        for name, value in scope["headers"]
        if name == b"x-forwarded-for"
        for hop in value.decode("latin-1").split(",")
    ]
    for hop in reversed(hops):
        try:
            address = ipaddress.ip_address(hop)
        except ValueError:
            return peer
        if not any(address in network for network in trusted_proxies):
            return str(address)
    # Every hop is a trusted proxy: the first one sent the request.
    return str(ipaddress.ip_address(hops[0])) if hops else peer


def _is_trusted(host: str, trusted_proxies: Sequence[IPNetwork]) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(address in network for network in trusted_proxies)
