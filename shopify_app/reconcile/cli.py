"""`sightline reconcile --date D [--shop S] [--repair]`: one line per shop, exit 1 when a day
was refused, incomplete or still missing orders (so cron notices)."""

from __future__ import annotations

from flask import Flask

from models import Shop, ShopState, utcnow
from shopify_app.reconcile.days import ReconcileInputError, parse_day
from shopify_app.reconcile.repair import repair_day
from shopify_app.reconcile.report import DayReport, reconcile_day
from shopify_app.reconcile.shopify_orders import PAGE_SIZE


def _line(shop: str, report: DayReport, repaired: list[str] | None) -> str:
    if not report.complete:
        return f"{shop} {report.date}: INCOMPLETE ({report.error})"
    skipped = ", ".join(f"{k} {v}" for k, v in sorted(report.skipped.items())) or "0"
    text = (
        f"{shop} {report.date}: orders {report.orders}, recorded {report.recorded}, "
        f"delivered {report.delivered}, skipped {skipped}, failed {report.failed}, "
        f"pending {report.pending}, missing {len(report.missing)}, drift {report.drift}"
    )
    if report.missing:
        text += f" (missing: {' '.join(report.missing)})"
    if repaired is not None:
        text += f"; repaired {len(repaired)}"
    return text


def run_reconcile(
    app: Flask, raw_day: str, shop: str | None, repair: bool
) -> tuple[list[str], bool]:
    page_size = int(app.config.get("RECONCILE_PAGE_SIZE", PAGE_SIZE))
    if shop:
        shops = [shop]
    else:
        query = Shop.select(Shop.domain).where(Shop.state == ShopState.INSTALLED)
        shops = [s.domain for s in query.order_by(Shop.domain)]
    lines, ok = [], True
    for domain in shops:
        try:
            day = parse_day(raw_day, domain, utcnow())
        except ReconcileInputError as exc:
            lines.append(f"{domain}: {exc}")
            ok = False
            continue
        if repair:
            result = repair_day(
                domain, day, page_size=page_size, geoip_city_db=app.config["GEOIP_CITY_DB"]
            )
            report, repaired = result.report, result.repaired
        else:
            report, repaired = reconcile_day(domain, day, page_size=page_size), None
        lines.append(_line(domain, report, repaired))
        ok = ok and report.complete and not report.missing
    if not shops:
        lines.append("no installed shops")
    return lines, ok
