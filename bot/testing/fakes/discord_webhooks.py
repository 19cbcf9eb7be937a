"""Interaction callbacks and the interaction webhook (follow-ups, @original) for the Discord fake.

These routes need no bot token: discord.py authenticates them with the interaction's own token, which
is valid for 15 minutes; the first callback must come within 3 s (``deadline``). A callback of type 4
and a follow-up count as accepted message creates (FakeDiscord.after_accept / hold_responses); discord.py
sends no nonce on these routes, so they are never deduplicated.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from bot.testing.fakes.discord_gateway import Gateway
from bot.testing.fakes.discord_http import (
    JSON,
    RecordedRequest,
    Reply,
    Router,
    check_message_body,
    error,
    form_error,
    truthy,
)
from bot.testing.fakes.discord_interactions import CallbackType, FakeInteraction, InteractionType
from bot.testing.fakes.discord_model import DiscordModel, MessageFlag

INTERACTION_TOKEN_TTL = 15 * 60


class InteractionRoutes:
    """``/interactions/{id}/{token}/callback`` and ``/webhooks/{app}/{token}/...``."""

    def __init__(self, model: DiscordModel, gateway: Gateway,
                 delete: Callable[[JSON], Awaitable[None]]) -> None:
        self.model = model
        self.gateway = gateway
        self.delete = delete  # deletes a message and tells the gateway, shared with the channel routes
        self.interactions: dict[str, FakeInteraction] = {}
        self.deadline: float | None = 3.0

    def register(self, router: Router) -> None:
        router.add("POST", "/interactions/{interaction_id}/{token}/callback", self.callback, auth=False)
        router.add("POST", "/webhooks/{app_id}/{token}", self.followup, auth=False)
        for verb, handler in (("GET", self.get_webhook_message), ("PATCH", self.edit_webhook_message),
                              ("DELETE", self.delete_webhook_message)):
            router.add(verb, "/webhooks/{app_id}/{token}/messages/{message_id}", handler, auth=False)

    def _live_interaction(self, interaction_id: str, token: str) -> FakeInteraction | None:
        interaction = self.interactions.get(interaction_id)
        return interaction if interaction and interaction.token == token else None

    async def callback(self, req: RecordedRequest, interaction_id: str, token: str) -> Reply:
        interaction = self._live_interaction(interaction_id, token)
        if interaction is None:
            return error(404, "Unknown interaction", 10062)
        late = self.deadline is not None \
            and time.monotonic() - interaction.created > self.deadline
        if late and not interaction.callbacks:
            return error(404, "Unknown interaction", 10062)  # Discord's answer after the 3 s window
        if interaction.callbacks:
            return error(400, "Interaction has already been acknowledged.", 40060)
        body = dict(req.json or {})
        if req.files:
            data = body.setdefault("data", {})
            data["attachments"] = self.model.make_attachments(req.files, data.get("attachments"))
        reply = await self._apply_callback(interaction, body, has_files=bool(req.files))
        if reply.status >= 300:
            return reply
        interaction.callbacks.append(body)
        interaction.answered.set()
        return reply if truthy(req.query.get("with_response")) else Reply(204, accepted=reply.accepted)

    async def _apply_callback(self, interaction: FakeInteraction, body: JSON, *, has_files: bool) -> Reply:
        kind, data = int(body.get("type", 0)), body.get("data") or {}
        info: JSON = {"id": interaction.id, "type": interaction.type,
                      "response_message_loading": False, "response_message_ephemeral": False}
        resource: JSON = {"type": kind}
        if kind in (CallbackType.CHANNEL_MESSAGE, CallbackType.DEFERRED_CHANNEL_MESSAGE):
            problem = kind == CallbackType.CHANNEL_MESSAGE and check_message_body(data, has_files)
            if problem:
                return problem
            message = await self._interaction_message(interaction, data, loading=kind == 5)
            info.update(response_message_id=message["id"], response_message_loading=kind == 5,
                        response_message_ephemeral=bool(message["flags"] & MessageFlag.EPHEMERAL))
            resource["message"] = message
            if kind == CallbackType.CHANNEL_MESSAGE:  # a deferral's "thinking" message is no answer yet
                return Reply(200, {"interaction": info, "resource": resource}, accepted=message)
        elif kind in (CallbackType.UPDATE_MESSAGE, CallbackType.DEFERRED_UPDATE_MESSAGE):
            target = interaction.payload.get("message")
            if target is None:
                return error(400, "Interaction callback type only valid for component interactions", 50035)
            if kind == CallbackType.UPDATE_MESSAGE and target["id"] in self.model.messages:
                updated = self.model.edit_message(self.model.messages[target["id"]], data)
                await self.gateway.dispatch("MESSAGE_UPDATE", self.model.message_event(updated))
                resource["message"] = self.model.message_payload(target["id"])
            info["response_message_id"] = target["id"]
            if interaction.original_message_id is None:  # @original now names the message pressed on
                interaction.original_message_id = target["id"]
        elif kind == CallbackType.AUTOCOMPLETE_RESULT:
            if interaction.type != InteractionType.AUTOCOMPLETE or len(data.get("choices", [])) > 25:
                return form_error("data", "INTERACTION_CALLBACK_INVALID", "Invalid autocomplete response")
        elif kind == CallbackType.MODAL:
            if not data.get("custom_id") or not data.get("title") or not data.get("components"):
                return form_error("data", "BASE_TYPE_REQUIRED", "A modal needs custom_id, title, components")
        elif kind != CallbackType.PONG:
            return form_error("type", "BASE_TYPE_CHOICES", f"Value must be one of ... (got {kind})")
        return Reply(200, {"interaction": info, "resource": resource})

    async def _interaction_message(self, interaction: FakeInteraction, data: JSON, *, loading: bool) -> JSON:
        """The message an interaction response or follow-up creates (author: the bot, via webhook)."""
        channel = self.model.channels[interaction["channel_id"]]
        flags = int(data.get("flags") or 0) | (MessageFlag.LOADING if loading else 0)
        sent = interaction.payload
        metadata = {"id": interaction.id, "type": interaction.type,
                    "user": sent.get("member", {}).get("user") or sent.get("user"),
                    "authorizing_integration_owners": sent.get("authorizing_integration_owners", {})}
        body = {**data, "flags": flags, "webhook_id": self.model.application_id,
                "application_id": self.model.application_id, "interaction_metadata": metadata,
                "type": 20 if interaction.type == InteractionType.APPLICATION_COMMAND else 0}
        message = self.model.create_message(channel, self.model.bot_user, body)
        if interaction.original_message_id is None:
            interaction.original_message_id = message["id"]
        if not flags & MessageFlag.EPHEMERAL:
            await self.gateway.dispatch("MESSAGE_CREATE", self.model.message_event(message))
        return self.model.message_payload(message["id"])

    def _webhook_interaction(self, app_id: str, token: str) -> FakeInteraction | None:
        """The interaction behind a webhook token, if the token is still valid (15 minutes)."""
        if app_id != self.model.application_id:
            return None
        interaction = next((i for i in self.interactions.values() if i.token == token), None)
        if interaction is None or time.monotonic() - interaction.created > INTERACTION_TOKEN_TTL:
            return None
        return interaction

    async def followup(self, req: RecordedRequest, app_id: str, token: str) -> Reply:
        interaction = self._webhook_interaction(app_id, token)
        if interaction is None or not interaction.callbacks:
            return error(404, "Unknown Webhook", 10015)  # no webhook exists before the first callback
        body = dict(req.json or {})
        problem = check_message_body(body, bool(req.files))
        if problem:
            return problem
        body["attachments"] = self.model.make_attachments(req.files, body.get("attachments"))
        original = self.model.messages.get(interaction.original_message_id or "")
        if original is not None and original["flags"] & MessageFlag.LOADING:
            # After a deferral Discord turns the first follow-up into the "thinking" message itself.
            flags = original["flags"] & ~MessageFlag.LOADING
            message = self.model.edit_message(original, {**body, "flags": flags})
            await self.gateway.dispatch("MESSAGE_UPDATE", self.model.message_event(message))
            payload = self.model.message_payload(message["id"])
        else:
            payload = await self._interaction_message(interaction, body, loading=False)
        interaction.followups.append(payload)
        wait = truthy(req.query.get("wait"))
        return Reply(200, payload, accepted=payload) if wait else Reply(204, accepted=payload)

    def _webhook_message(self, app_id: str, token: str, message_id: str) -> JSON | Reply:
        """The message a webhook route addresses (``@original`` = the interaction response), or an error."""
        interaction = self._webhook_interaction(app_id, token)
        if interaction is None:
            return error(404, "Unknown Webhook", 10015)
        if message_id == "@original":
            message_id = interaction.original_message_id or ""
        message = self.model.messages.get(message_id)
        return error(404, "Unknown Message", 10008) if message is None else message

    async def get_webhook_message(self, req: RecordedRequest, app_id: str, token: str,
                                  message_id: str) -> Reply:
        message = self._webhook_message(app_id, token, message_id)
        if isinstance(message, Reply):
            return message
        return Reply(200, self.model.message_payload(message["id"]))

    async def edit_webhook_message(self, req: RecordedRequest, app_id: str, token: str,
                                   message_id: str) -> Reply:
        message = self._webhook_message(app_id, token, message_id)
        if isinstance(message, Reply):
            return message
        body = dict(req.json or {})
        if len(body.get("content") or "") > 2000:
            return form_error("content", "BASE_TYPE_MAX_LENGTH", "Must be 2000 or fewer in length.")
        # Editing the deferred message ends its "thinking" state.
        body["flags"] = message["flags"] & ~MessageFlag.LOADING
        self.model.edit_message(message, body)
        if not message["flags"] & MessageFlag.EPHEMERAL:
            await self.gateway.dispatch("MESSAGE_UPDATE", self.model.message_event(message))
        return Reply(200, self.model.message_payload(message["id"]))

    async def delete_webhook_message(self, req: RecordedRequest, app_id: str, token: str,
                                     message_id: str) -> Reply:
        message = self._webhook_message(app_id, token, message_id)
        if isinstance(message, Reply):
            return message
        await self.delete(message)
        return Reply(204)
