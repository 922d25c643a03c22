"""`app/uninstalled`: forget the shop's tokens and stop its deliveries; keep its data until
`shop/redact` (sent 48 h later), so a reinstall in between finds everything as it was."""

from __future__ import annotations

from models import Delivery, DeliveryStatus, Shop, ShopState, utcnow
from webhooks.context import Delivery as WebhookDelivery
from webhooks.context import Write


def record_uninstall(delivery: WebhookDelivery) -> Write:
    """Mark the shop uninstalled, delete its tokens, cancel its pending deliveries. Idempotent."""
    return lambda: _uninstall(delivery)


def _uninstall(delivery: WebhookDelivery) -> None:
    if reinstalled_since(delivery):
        return  # a retry reaching us after the merchant reinstalled must not undo the reinstall
    now = utcnow()
    Shop.update(
        state=ShopState.UNINSTALLED,
        uninstalled_at=now,
        access_token=None,
        access_token_expires_at=None,
        refresh_token=None,
        refresh_token_expires_at=None,
        # A token refresh already in flight must not write its pair back (compare-and-swap).
        token_version=Shop.token_version + 1,
        updated_at=now,
    ).where(Shop.domain == delivery.shop).execute()
    Delivery.update(status=DeliveryStatus.CANCELLED, updated_at=now).where(
        (Delivery.app_id == delivery.shop) & (Delivery.status == DeliveryStatus.PENDING)
    ).execute()


def reinstalled_since(delivery: WebhookDelivery) -> bool:
    """The merchant installed the app again after this delivery first reached us."""
    return (
        Shop.select()
        .where(
            (Shop.domain == delivery.shop)
            & (Shop.state == ShopState.INSTALLED)
            & (Shop.installed_at > delivery.received_at)
        )
        .exists()
    )
