"""The Feishu / Lark assistant bot's event subscription (request URL mode), and its keys.

``POST /hooks/feishu/events`` and ``POST /hooks/lark/events`` answer the URL check, verify
(Verification Token; ``X-Lark-Signature`` and decryption when an Encrypt Key is set), store each
event once per ``event_id`` (Feishu re-sends until it gets HTTP 200 in time) and answer at once:
the work, and everything the bot says, is done by the bot runner from the tables.

``PUT /api/v1/feishu-bot/{platform}/keys`` (admin) sets the Verification Token and Encrypt Key.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from hookcast.clock import utcnow
from hookcast.feishubot import inbox, keys
from hookcast.feishubot.keys import KeysInput, KeysView
from hookcast.feishubot.pushed import Challenge, FeishuRefusal, open_request
from hookcast.platforms.base import PlatformName
from hookcast.runtime import Runtime
from hookcast.web import guide
from hookcast.web.body import BodyTooLarge, read_limited
from hookcast.web.deps import RuntimeDep, SessionDep, require_admin

BotPlatform = Literal["feishu", "lark"]


router = APIRouter(tags=["feishu bot"])
router.include_router(guide.router)  # the guide the welcome card links to


def _refuse(runtime: Runtime, platform: str, status: int, reason: str) -> JSONResponse:
    runtime.metrics.events_rejected.labels(f"{platform}-bot", str(status)).inc()
    return JSONResponse({"detail": reason}, status_code=status)


@router.post("/hooks/feishu/events", summary="Feishu event subscription (the assistant bot)")
async def feishu_events(request: Request, runtime: RuntimeDep) -> Response:
    return await _receive(request, runtime, PlatformName.FEISHU)


@router.post("/hooks/lark/events", summary="Lark event subscription (the assistant bot)")
async def lark_events(request: Request, runtime: RuntimeDep) -> Response:
    return await _receive(request, runtime, PlatformName.LARK)


async def _receive(request: Request, runtime: Runtime, platform: PlatformName) -> Response:
    try:
        body = await read_limited(request, runtime.settings.max_body_bytes)
    except BodyTooLarge as exc:
        return _refuse(runtime, platform.value, 413, str(exc))
    async with runtime.sessions() as session:
        bot_keys = await keys.load(session, runtime.box, platform)
    if bot_keys is None:  # nothing listens here: a stranger's push is no server error to alert on
        return _refuse(
            runtime,
            platform.value,
            404,
            f"the {platform.value} bot's Verification Token is not set in hookcast",
        )
    headers = {k.lower(): v for k, v in request.headers.items()}
    opened = open_request(body, headers, bot_keys, utcnow().timestamp())
    if isinstance(opened, FeishuRefusal):
        return _refuse(runtime, platform.value, opened.status, opened.reason)
    if isinstance(opened, Challenge):
        return JSONResponse({"challenge": opened.challenge})
    base_url = runtime.settings.public_url or str(request.base_url)
    async with runtime.sessions.begin() as session:
        new = await inbox.store_event(
            session, platform, opened, base_url, utcnow(), is_sqlite=runtime.settings.is_sqlite
        )
    if not new:
        return JSONResponse({"status": "duplicate"})
    if runtime.feishu_bot is not None:
        runtime.feishu_bot.kick()
    return JSONResponse({"status": "accepted"})


# --- the keys (admin) -------------------------------------------------------------------------

_admin = [Depends(require_admin)]


@router.get("/api/v1/feishu-bot/{platform}/keys", response_model=KeysView, dependencies=_admin)
async def get_keys(platform: BotPlatform, session: SessionDep) -> KeysView:
    return await keys.view(session, PlatformName(platform))


@router.put("/api/v1/feishu-bot/{platform}/keys", response_model=KeysView, dependencies=_admin)
async def put_keys(
    platform: BotPlatform, data: KeysInput, session: SessionDep, runtime: RuntimeDep
) -> KeysView:
    return await keys.save(session, runtime.box, PlatformName(platform), data)


@router.delete("/api/v1/feishu-bot/{platform}/keys", status_code=204, dependencies=_admin)
async def delete_keys(platform: Annotated[BotPlatform, "platform"], session: SessionDep) -> Response:
    await keys.remove(session, PlatformName(platform))
    return Response(status_code=204)
