"""Storefront themes: two very different page structures to test the tracker and the picker on.

- `basic`: hand-written minimal markup with plain class names (the default).
- `dawn`: a reduced copy of Shopify's Dawn theme (github.com/Shopify/dawn): sections wrapped in
  `shopify-section-template--<id>__main` ids, custom elements (`sticky-header`, `product-form`,
  `header-drawer`), BEM class names, ids generated from section ids and product ids, an app
  block whose button only has CSS-in-JS hashes, and a newsletter form in the footer.

A theme is chosen per shop (`POST /_devstore/shops/{shop}/theme {"theme": "dawn"}`) or per
request (`?theme=dawn`), so a test can open the same store in either.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

THEMES = ("basic", "dawn")
FILES = Path(__file__).resolve().parent / "theme_files"
SECTION = "template--15263873335460__main"  # Dawn's section ids look like this


@dataclass(frozen=True)
class Page:
    title: str
    body: str  # everything inside <body>
    head: str = ""  # theme styles


# ---- basic --------------------------------------------------------------------------------

BASIC = {
    # page type -> (title, body HTML); {root} is the shop's storefront root
    "index": ("Home", '<h1>Welcome</h1><a href="{root}products/red-shoes">Red shoes</a>'),
    "product": (
        "Red shoes",
        '<h1>Red shoes</h1><button class="wishlist-btn" type="button">♡ Wishlist</button>'
        '<form class="product-form" action="{root}cart/add" onsubmit="return false">'
        '<select name="size"><option>40</option><option>41</option></select>'
        '<button type="submit">Add to cart</button></form>',
    ),
    "collection": (
        "Shoes",
        '<h1>Shoes</h1><a class="product-card" href="{root}products/red-shoes">Red</a>',
    ),
    "cart": ("Cart", '<h1>Your cart</h1><button class="checkout" type="button">Check out</button>'),
    "page": ("About", '<h1>About us</h1><button class="wishlist-btn" type="button">♡</button>'),
    "search": ("Search", '<h1>Search results</h1><a href="{root}products/red-shoes">Red shoes</a>'),
}
BASIC_FOOTER = (
    '<form class="newsletter" action="{root}contact" method="post">'
    '<input class="email" name="email" type="email"><button type="submit">Join</button></form>'
    '<div class="filler" style="height:3000px"></div><footer id="end">End</footer>'
)


def basic(page_type: str, root: str, product: dict[str, Any] | None) -> Page:
    title, body = BASIC[page_type]
    return Page(title, body.format(root=root) + BASIC_FOOTER.format(root=root))


# ---- dawn ---------------------------------------------------------------------------------


def _dawn(name: str) -> str:
    """One of the Dawn fragments in theme_files/dawn/ (str.format fields: root, section...)."""
    return (FILES / "dawn" / name).read_text().strip()


DAWN_STYLE = _dawn("style.html")

DAWN_HEADER = _dawn("header.html")

DAWN_PRODUCT = _dawn("product.html")

DAWN_COLLECTION = _dawn("collection.html")

DAWN_CARD = _dawn("card.html")

DAWN_SIMPLE = _dawn("simple.html")

DAWN_FOOTER = _dawn("footer.html")

CHECKOUT = '<p><button class="button button--primary" name="checkout">Check out</button></p>'
DAWN_CARDS = (
    (8001, "red-shoes", "Red shoes", "49,90"),
    (8002, "blue-boots", "Blue boots", "89,00"),
    (8003, "green-sandals", "Green sandals", "29,00"),
    (8004, "black-heels", "Black heels", "69,00"),
)


def dawn(page_type: str, root: str, product: dict[str, Any] | None) -> Page:
    values = {"root": root, "section": SECTION}
    if page_type == "product" and product:
        title = product["title"]
        main = DAWN_PRODUCT.format(
            **values,
            id=product["id"],
            handle=product["handle"],
            title=html.escape(title),
            price=f"{product['price'] / 100:.2f}".replace(".", ","),
        )
    elif page_type == "collection":
        title = "Shoes"
        cards = "\n".join(
            DAWN_CARD.format(**values, n=n, id=pid, handle=handle, title=name, price=price)
            for n, (pid, handle, name, price) in enumerate(DAWN_CARDS, 1)
        )
        main = DAWN_COLLECTION.format(**values, cards=cards)
    else:
        title, text = {
            "index": (
                "Welcome",
                f'<p><a class="button" href="{root}collections/all">Shop all</a></p>',
            ),
            "cart": (
                "Your cart",
                CHECKOUT,
            ),
            "search": (
                "Search results",
                f'<p><a class="card__heading" href="{root}products/red-shoes">Red shoes</a></p>',
            ),
        }.get(page_type, ("About us", "<p>Shoes since 1921.</p>"))
        main = DAWN_SIMPLE.format(**values, title=title, text=text)
    body = (
        DAWN_HEADER.replace("{root}", root).replace("{count}", "0")
        + f'<main id="MainContent" class="content-for-layout" role="main">{main}</main>'
        + DAWN_FOOTER.format(root=root)
    )
    return Page(title, body, DAWN_STYLE)


RENDERERS: dict[str, Callable[[str, str, dict[str, Any] | None], Page]] = {
    "basic": basic,
    "dawn": dawn,
}


def render(theme: str, page_type: str, root: str, product: dict[str, Any] | None) -> Page:
    return RENDERERS.get(theme, basic)(page_type, root, product)
