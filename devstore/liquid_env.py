"""python-liquid set up like Shopify's theme renderer for our app embed: the `schema` tag
(kept, renders nothing), `asset_url` pointing at devstore's copy of the extension's assets,
and Shopify's `json` filter (nil as null, HTML-safe so it can sit inside <script>)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from liquid import Environment, Template, ast
from liquid.exceptions import LiquidSyntaxError
from liquid.tag import Tag
from liquid.token import TOKEN_EOF, TOKEN_TAG
from liquid.undefined import Undefined

EXTENSION_DIR = Path(__file__).resolve().parent.parent / "theme_extension"
ASSET_PATH = "/extensions/sightline/assets/"
# What Rails' JSON encoding (and so Shopify's `json` filter) escapes for use inside HTML.
HTML_SAFE = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


class SchemaNode(ast.Node):
    __slots__ = ("text",)

    def __init__(self, token: Any, text: str) -> None:
        super().__init__(token)
        self.text = text

    def render_to_output(self, context: Any, buffer: Any) -> int:
        return 0  # the schema configures the block; it is never part of the page

    @property
    def schema(self) -> dict[str, Any]:
        return json.loads(self.text)


class SchemaTag(Tag):
    name = "schema"
    end = "endschema"

    def parse(self, stream: Any) -> SchemaNode:
        token = stream.eat(TOKEN_TAG)
        text: list[str] = []
        while not (stream.current.kind == TOKEN_TAG and stream.current.value == self.end):
            if stream.current.kind == TOKEN_EOF:
                raise LiquidSyntaxError("schema tag was never closed", token=token)
            text.append(stream.current.value)
            next(stream)
        return SchemaNode(token, "".join(text))


def shopify_json(value: Any) -> str:
    def plain(obj: Any) -> Any:
        if isinstance(obj, Undefined):
            return None
        raise TypeError(f"{type(obj).__name__} is not JSON serializable")

    text = json.dumps(None if isinstance(value, Undefined) else value, default=plain)
    for char, escaped in HTML_SAFE.items():
        text = text.replace(char, escaped)
    return text


def make_environment(asset_base_url: str) -> Environment:
    env = Environment()
    env.add_tag(SchemaTag)
    env.add_filter("json", shopify_json)
    env.add_filter("asset_url", lambda name: f"{asset_base_url}{ASSET_PATH}{name}")
    return env


def load_block(env: Environment, name: str = "sightline") -> tuple[Template, dict[str, Any]]:
    """The app embed block's template and its parsed schema."""
    template = env.from_string((EXTENSION_DIR / "blocks" / f"{name}.liquid").read_text())
    schema = next(node.schema for node in template.nodes if isinstance(node, SchemaNode))
    return template, schema
