"""Work set aside: a function run in a forked process while the caller goes on, its result
(plain data) collected later. The build searches the near-duplicates this way while it
models (the search needs only the located profiles), and computes the gold scores while it
validates and publishes (from what the extraction found, which the fork hands over without
copying it through a pipe): build.py. Where ``fork`` is not available, the function runs when
its result is asked for.
"""

from __future__ import annotations

import multiprocessing
import pickle
from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class Aside(Generic[T]):
    """``fn()`` under way in a forked process; :meth:`result` waits for it (once)."""

    def __init__(self, fn: Callable[[], T]) -> None:
        self._fn = fn
        self._process: Any = None
        self._receive: Any = None
        self._done: list[T] = []
        if "fork" in multiprocessing.get_all_start_methods():
            ctx = multiprocessing.get_context("fork")
            self._receive, send = ctx.Pipe(duplex=False)
            self._process = ctx.Process(target=_child, args=(fn, send), name="ccgraph-aside",
                                        daemon=True)
            self._process.start()
            send.close()

    def result(self) -> T:
        """The function's result; its exception when it failed (a RuntimeError naming it
        when the exception cannot be sent back); the function run here when no process
        could be forked."""
        if self._done:
            return self._done[0]
        if self._process is None:
            self._done.append(self._fn())
            return self._done[0]
        try:
            ok, payload = self._receive.recv()
        except EOFError:
            raise RuntimeError("a background step of the build ended without a result "
                               "(out of memory?)") from None
        finally:
            self._process.join()
            self._receive.close()
        if not ok:
            raise payload if isinstance(payload, BaseException) else RuntimeError(payload)
        self._done.append(payload)
        return self._done[0]

    def cancel(self) -> None:
        """Stop the process when its result is no longer wanted."""
        if self._process is not None and self._process.is_alive():
            self._process.kill()
            self._process.join()
        if self._receive is not None:
            self._receive.close()


def _child(fn: Callable[[], Any], send: Any) -> None:
    try:
        send.send((True, fn()))
    except BaseException as exc:  # reported to the parent, which raises it
        try:  # the exception itself when it survives the pipe (a SourceError may not)
            pickle.loads(pickle.dumps(exc))
            send.send((False, exc))
        except Exception:
            send.send((False, f"{type(exc).__name__}: {exc}"))
    finally:
        send.close()


__all__ = ["Aside"]
