"""Run the routers' plain (non-async) filters on the event loop instead of in a worker thread.

aiogram calls every filter that is not a coroutine function — each magic filter (`F.text`,
`F.data == "m:ask"`) and each plain function — through `asyncio.to_thread`: a hand-off to the default
thread pool and back for every check of every update. Our filters are pure attribute tests that take
microseconds, while the hand-off costs a few hundred microseconds of CPU, and with many updates in
flight the checks queue for the pool's few threads. Filters here must therefore never block: one that
needs I/O is written as `async def` (or an aiogram `Filter`), which aiogram already awaits inline.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from aiogram import Router
from aiogram.dispatcher.event.handler import CallableObject, FilterObject


def _inline(callback: Callable[..., Any]) -> Callable[..., Any]:
    async def run_inline(*args: Any, **kwargs: Any) -> Any:
        return callback(*args, **kwargs)

    return run_inline


def _filters(router: Router) -> Iterator[FilterObject]:
    for observer in router.observers.values():
        yield from observer._handler.filters or ()  # the router-level filters of this event type
        for handler in observer.handlers:
            yield from handler.filters or ()


def run_filters_inline(root: Router) -> int:
    """Make every plain filter under `root` (its sub-routers included) run on the loop; returns how many.

    Call it once every router is included. Handlers are left alone: they are all `async def` here, and a
    test checks it.
    """
    changed = 0
    for router in root.chain_tail:
        for filter_object in _filters(router):
            if not filter_object.awaitable:
                _make_inline(filter_object)
                changed += 1
    return changed


def _make_inline(callable_object: CallableObject) -> None:
    # aiogram has already read the parameters from the original callback's signature (`params`,
    # `varkw`), so the wrapper receives exactly the arguments the plain callback would have.
    callable_object.callback = _inline(callable_object.callback)
    callable_object.awaitable = True
