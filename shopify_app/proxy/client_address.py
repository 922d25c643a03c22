"""The shopper's address, from the right of `X-Forwarded-For`.

Each proxy appends the address it received the request from. Entries on the left were written
by whoever sent the request, so a shopper can put anything there; only the entries appended by
proxies we trust are facts. With `TRUSTED_PROXY_HOPS` = 1 (the default: Shopify's app proxy
connects to us directly) the shopper's address is the last entry, the one Shopify appended;
behind our own load balancer it is 2 (the balancer appends Shopify's address after it), and 0
means no proxy at all: the connection's own address. The same rule as werkzeug's ProxyFix.
"""

from __future__ import annotations

from shopify_app.ingest.enrich import normalize_ip

DEFAULT_TRUSTED_HOPS = 1


def shopper_address(forwarded_for: str | None, remote_addr: str | None, hops: int) -> str | None:
    """The canonical address `hops` entries from the right, else the connection's; None when
    that is not an IP address (junk, or a zoned IPv6 address such as fe80::1%eth0 normalised
    without its zone)."""
    entries = [e.strip() for e in (forwarded_for or "").split(",") if e.strip()]
    if hops > 0 and len(entries) >= hops:
        return normalize_ip(entries[-hops])
    # Fewer entries than trusted proxies: the request did not come the way we expect, so no
    # entry can be trusted; the connection's own address is the best we know.
    return normalize_ip(remote_addr)
