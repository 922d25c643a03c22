"""Whether an event may go to Meta, given the shopper's marketing consent and the shop's policy.

An explicit choice always wins: a shopper who refused marketing is never sent. Without a signal
(a page without Shopify's Customer Privacy API, an order without the consent cart attribute) the
shop's `consent_when_unknown` decides: `send`, `skip`, or `by_region` (the default), which skips
shoppers in the EEA, the UK and Switzerland, where consent is required before ads tracking, and
shoppers whose country is unknown, since they may be there.
"""

from __future__ import annotations

SEND, SKIP, BY_REGION = "send", "skip", "by_region"
POLICIES = (SEND, SKIP, BY_REGION)
DEFAULT_POLICY = BY_REGION

# EU member states, the other EEA states (Iceland, Liechtenstein, Norway), the UK, Switzerland.
CONSENT_REGION = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
        "IS",
        "LI",
        "NO",
        "GB",
        "CH",
    ]
)


def may_send(consent: bool | None, policy: str | None, country: str | None) -> bool:
    """True when an event with this consent, under this policy, from this country may go."""
    if consent is not None:
        return consent
    policy = policy if policy in POLICIES else DEFAULT_POLICY
    if policy == SEND:
        return True
    if policy == SKIP:
        return False
    code = (country or "").strip().upper()
    return bool(code) and code not in CONSENT_REGION
