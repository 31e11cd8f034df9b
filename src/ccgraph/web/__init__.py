"""The publishing server: a Flask app with one blueprint per URL family.

``create_app`` is imported on first use, so that a module of this package used outside a
request (web/describe.py: the build frames every city with it) does not load Flask and
every blueprint."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import create_app


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from .app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["create_app"]
