"""The bundled reference server: the embedded default target, written from the source documents."""

from harness.reference.app import ServerConfig, create_app
from harness.reference.keys import DEV_KEYS, Principal

__all__ = ["DEV_KEYS", "Principal", "ServerConfig", "create_app"]
