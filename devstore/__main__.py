"""`python -m devstore`: run the Shopify stand-in by hand (or from `sightline demo`)."""

from __future__ import annotations

import argparse
import socket
import sys

from werkzeug.serving import make_server

from devstore.app import create_devstore
from devstore.state import DevstoreConfig
from shopify_app.config import DEV_API_KEY, DEV_API_SECRET
from shopify_app.sockets import ServerStartError, bound_port, listening_socket


def main() -> None:
    parser = argparse.ArgumentParser(description="Local Shopify stand-in")
    parser.add_argument("--port", type=int, default=8765, help="0 lets the system choose")
    parser.add_argument(
        "--fd", type=int, default=None, help="serve on this inherited listening socket instead"
    )
    parser.add_argument("--app-url", default="http://127.0.0.1:8000")
    parser.add_argument("--api-key", default=DEV_API_KEY)
    parser.add_argument("--api-secret", default=DEV_API_SECRET)
    args = parser.parse_args()
    try:
        sock = (
            socket.socket(fileno=args.fd)
            if args.fd is not None
            else listening_socket("127.0.0.1", args.port)
        )
    except ServerStartError as exc:
        sys.exit(f"devstore: error: {exc}")
    app = create_devstore(DevstoreConfig(args.api_key, args.api_secret, args.app_url))
    print(f"devstore on http://127.0.0.1:{bound_port(sock)} (app at {args.app_url})", flush=True)
    make_server("127.0.0.1", bound_port(sock), app, threaded=True, fd=sock.fileno()).serve_forever()


if __name__ == "__main__":
    main()
