"""Strongly Projects / Workspaces / Volumes REST API (Flask)."""

from flask import Flask

from . import errors
from .store import Store

API_PREFIX = "/api/v1"
MAX_BODY_BYTES = 1024 * 1024


def create_app(data_dir, provision_delay=1.0):
    app = Flask(__name__)
    app.config["PROVISION_DELAY"] = float(provision_delay)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    app.json.sort_keys = False
    app.json.ensure_ascii = True
    app.url_map.strict_slashes = False
    app.extensions["strongly.store"] = Store(data_dir)

    from .views import projects, volumes, workspaces

    for module in (projects, workspaces, volumes):
        app.register_blueprint(module.bp, url_prefix=API_PREFIX)

    errors.register(app)

    @app.after_request
    def _headers(resp):
        resp.headers.setdefault("Cache-Control", "no-store")
        resp.headers["X-Content-Type-Options"] = "nosniff"
        return resp

    return app
