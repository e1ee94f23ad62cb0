"""Entry point: ./serve.sh --host 127.0.0.1 --port PORT --data DIR [--provision-delay SECONDS]"""

import argparse
import logging
import math
import os
import signal
import sys

import werkzeug.serving
from werkzeug.serving import make_server

from app import create_app


def parse_args(argv):
    parser = argparse.ArgumentParser(description="Strongly REST API server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--data", required=True, help="data directory (created if missing)")
    parser.add_argument("--provision-delay", type=float, default=1.0,
                        help="simulated provisioning time in seconds (default 1)")
    args = parser.parse_args(argv)
    if not (0 <= args.port <= 65535):
        parser.error("--port must be between 0 and 65535")
    if not math.isfinite(args.provision_delay) or args.provision_delay < 0:
        parser.error("--provision-delay must be a non-negative number")
    return args


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    werkzeug.serving._log_add_style = False  # plain (uncoloured) access log lines
    app = create_app(args.data, args.provision_delay)
    store = app.extensions["strongly.store"]
    server = make_server(args.host, args.port, app, threaded=True)

    def shutdown(signum, _frame):
        # Wait for any request that is in the middle of changing state (they all hold
        # the store lock while writing), then exit.  Every acknowledged write is
        # already on disk, so nothing else needs flushing.
        with store.lock:
            logging.getLogger("strongly").info("received signal %d, exiting", signum)
            sys.stderr.flush()
            os._exit(0)

    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)
    logging.getLogger("strongly").info(
        "listening on http://%s:%d (data=%s, provision delay=%gs)",
        args.host, server.server_port, os.path.abspath(args.data), args.provision_delay)
    server.serve_forever()


if __name__ == "__main__":
    main()
