"""The fixed vocabularies a custom event is checked against."""

TRIGGERS = ("click", "submit", "change", "focus", "scroll", "load")
TRIGGERS_NEEDING_SELECTOR = ("click", "submit", "change", "focus")

# Shopify's `request.page_type` values (theme-liquid-docs objects.json).
SHOPIFY_PAGE_TYPES = (
    "404",
    "article",
    "blog",
    "captcha",
    "cart",
    "collection",
    "list-collections",
    "customers/account",
    "customers/activate_account",
    "customers/addresses",
    "customers/login",
    "customers/order",
    "customers/register",
    "customers/reset_password",
    "gift_card",
    "index",
    "metaobject",
    "page",
    "password",
    "policy",
    "product",
    "search",
)
PAGE_TYPES = ("all", *SHOPIFY_PAGE_TYPES, "custom")

# Meta's standard events (developers.facebook.com/docs/meta-pixel/reference).
META_STANDARD_EVENTS = (
    "AddPaymentInfo",
    "AddToCart",
    "AddToWishlist",
    "CompleteRegistration",
    "Contact",
    "CustomizeProduct",
    "Donate",
    "FindLocation",
    "InitiateCheckout",
    "Lead",
    "PageView",
    "Purchase",
    "Schedule",
    "Search",
    "StartTrial",
    "SubmitApplication",
    "Subscribe",
    "ViewContent",
)

# Names the tracker and webhooks record themselves; a custom event may not take them.
PAGE_VIEW = "page_view"
CLICK = "click"  # click autocapture (the `track_clicks` toggle)
PURCHASE = "purchase"
PIXEL_SEEN = "pixel_seen"  # other Meta pixel code on the storefront (ingest/pixel_seen.py)
BUILT_IN_EVENT_NAMES = (PAGE_VIEW, CLICK, PURCHASE, PIXEL_SEEN)
