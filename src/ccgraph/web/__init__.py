"""The publishing server: a Flask app with one blueprint per URL family."""

from .app import create_app

__all__ = ["create_app"]
