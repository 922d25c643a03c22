"""Point-and-click event setup: the admin mints a short-lived picker token, the storefront's
picker asset posts the merchant's choice through the app proxy with it, and the admin tab polls
the app for that choice (storefront and admin are different origins)."""
