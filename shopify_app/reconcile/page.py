"""What the Reconciliation page (and the Deliveries page's banner) show: the stored checks of
the shop's last 30 local days, as the API answered them."""

from __future__ import annotations

from typing import Any

from models import utcnow
from shopify_app.analytics import localtime
from shopify_app.reconcile.days import install_day
from shopify_app.reconcile.report import DayReport, last_days

DAYS = 30


def page_context(shop: str) -> dict[str, Any]:
    zone = localtime.shop_zone(shop)
    today = localtime.today(zone, utcnow())
    first = install_day(shop)
    rows = [
        {"date": day, "report": report, "checkable": first is not None and day >= str(first)}
        for day, report in last_days(shop, today, DAYS)
    ]
    alerts = [row["report"] for row in rows if row["report"] and row["report"].alert]
    return {"rows": rows, "zone": zone, "alerts": alerts, "banner": banner(alerts)}


def banner(alerts: list[DayReport]) -> str | None:
    """One sentence for the drift banner, or None when every checked day is clean."""
    if not alerts:
        return None
    missing = sum(len(r.missing) for r in alerts if r.complete)
    incomplete = [r.date for r in alerts if not r.complete]
    parts = []
    if missing:
        parts.append(f"{missing} order(s) have no purchase recorded")
    drifting = [r.date for r in alerts if r.complete and not r.missing]
    if drifting:
        parts.append(f"more than 2 % of orders did not reach Meta on {', '.join(drifting)}")
    if incomplete:
        parts.append(f"Shopify could not be read for {', '.join(incomplete)}")
    return "; ".join(parts) + "."
