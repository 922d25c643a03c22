"""Analytics tests use the admin API's per-shop clients."""

from tests.admin.conftest import shop_a, shop_b  # noqa: F401  (fixtures)
