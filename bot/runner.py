"""Running the bot against Telegram: long polling, or a webhook server when WEBHOOK_URL is set.

Both stop on SIGTERM/SIGINT after the updates in flight have finished.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from aiogram import Bot
from aiohttp import web

from bot.app import SHUTDOWN_GRACE_SECONDS, App, register_commands

log = logging.getLogger(__name__)
WEBHOOK_PATH = "/telegram/webhook"


async def _prepare(app: App, bot: Bot) -> None:
    try:
        await register_commands(bot)
    except Exception as exc:  # the bot still works without its command menu
        log.warning("could not register the command menu: %s", type(exc).__name__)

    async def _finish_in_flight() -> None:
        if not await app.inflight.wait_idle(SHUTDOWN_GRACE_SECONDS):
            log.warning("%d update(s) still running at shutdown", app.inflight.count)

    app.dispatcher.shutdown.register(_finish_in_flight)


async def run_polling(app: App, bot: Bot) -> None:
    await _prepare(app, bot)
    await bot.delete_webhook(drop_pending_updates=False)
    await app.dispatcher.start_polling(
        bot, allowed_updates=app.dispatcher.resolve_used_update_types(), handle_signals=True
    )


async def run_webhook(app: App, bot: Bot) -> None:
    from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application

    settings = app.settings
    await _prepare(app, bot)
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    web_app = web.Application()
    # The dispatcher's shutdown (which waits for updates in flight) must run before the request
    # handler's, which closes the bot session: aiohttp runs shutdown callbacks in registration order.
    setup_application(web_app, app.dispatcher, bot=bot)
    SimpleRequestHandler(dispatcher=app.dispatcher, bot=bot, secret_token=secret).register(
        web_app, path=WEBHOOK_PATH
    )
    runner = web.AppRunner(web_app)
    await runner.setup()
    host, port = settings.listen_host_port
    await web.TCPSite(runner, host, port).start()
    await bot.set_webhook(
        f"{settings.webhook_url}{WEBHOOK_PATH}" if not settings.webhook_url.endswith(WEBHOOK_PATH) else settings.webhook_url,
        secret_token=secret,
        allowed_updates=app.dispatcher.resolve_used_update_types(),
    )
    log.info("webhook server listening on %s:%d", host, port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()  # stops accepting, runs the dispatcher's shutdown (waits for in-flight)
