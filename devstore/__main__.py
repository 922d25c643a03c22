"""`python -m devstore`: run the Shopify stand-in by hand."""

from __future__ import annotations

import argparse

from devstore.app import create_devstore
from devstore.state import DevstoreConfig
from shopify_app.config import DEV_API_KEY, DEV_API_SECRET


def main() -> None:
    parser = argparse.ArgumentParser(description="Local Shopify stand-in")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--app-url", default="http://127.0.0.1:8000")
    parser.add_argument("--api-key", default=DEV_API_KEY)
    parser.add_argument("--api-secret", default=DEV_API_SECRET)
    args = parser.parse_args()
    app = create_devstore(DevstoreConfig(args.api_key, args.api_secret, args.app_url))
    print(f"devstore on http://127.0.0.1:{args.port} (app at {args.app_url})")
    app.run(host="127.0.0.1", port=args.port, threaded=True)


if __name__ == "__main__":
    main()
