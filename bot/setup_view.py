"""What /setup shows: every choice of a community with where it comes from, chats named as their readers
know them, and the buttons that change the channel and language choices where the admin is."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.community_settings import channel_key
from bot.i18n import LANGUAGES, Translator
from bot.models import ANNOUNCEMENT_KINDS, Button, ButtonStyle, ChatRef, Message, Text

if TYPE_CHECKING:
    from bot.app import App
    from bot.context import Context

HERE = "setup.here"          # arg: the kind; the chat (and topic) the button is pressed in takes it
BACK = "setup.default"       # arg: the kind; back to the config's chats on this platform
LANGUAGE = "setup.language"  # arg: the language


async def settings_message(ctx: Context, more: list[Text]) -> Message:
    """/setup show for an admin where `ctx` is, in `ctx.t`'s language, with `more` lines at the end (the
    rules)."""
    app, community, t, chat = ctx.app, ctx.community, ctx.t, ctx.chat
    platform = chat.platform
    chosen = await app.community_settings.of(community.id)
    defaults = await app.directory.configured(community.id)
    lines = [t("core.setup.header", community=community.name)]
    for kind in ANNOUNCEMENT_KINDS:
        picked = chosen.get(channel_key(platform, kind))
        targets = [picked] if picked else [target for where, target in
                                           await app.directory.configured_chats(community.id, kind)
                                           if where == platform]
        names: list[Text | str] = []
        for target in targets:
            names += [", "] if names else []
            names.append(await chat_name(app, platform, target, kind))
        lines.append(t("core.setup.channel_line", kind=kind, source=_source(t, bool(picked)),
                       chat=Text.of(*names) or t("core.setup.nowhere")))
    lines.append(t("core.setup.zone_line", zone=chosen.get("zone", defaults.zone),
                   source=_source(t, "zone" in chosen)))
    lines.append(t("core.setup.language_line", language=chosen.get("language", defaults.language),
                   source=_source(t, "language" in chosen)))
    return Message(t.join(lines + more), buttons=_buttons(t, chat, chosen, community.language))


async def chat_name(app: App, platform: str, target: str, kind: str | None = None) -> Text:
    """A stored target as its platform names it (a mention, a title and topic, #name)."""
    running = app.platforms.get(platform)
    return Text.of(await running.chat_label(target, kind) if running is not None else target)


def _buttons(t: Translator, chat: ChatRef, chosen: dict[str, str], language: str) -> tuple[Button, ...]:
    # A private chat takes no announcements, so "here" is offered only in a group (or topic).
    here = () if chat.is_private else tuple(
        Button(t.s("core.setup.here_button", kind=kind), HERE, kind) for kind in ANNOUNCEMENT_KINDS)
    back = tuple(Button(t.s("core.setup.default_button", kind=kind), BACK, kind) for kind in ANNOUNCEMENT_KINDS
                 if channel_key(chat.platform, kind) in chosen)
    languages = tuple(Button(t.s(f"core.setup.language_button.{code}"), LANGUAGE, code,
                             ButtonStyle.PRIMARY if code == language else ButtonStyle.SECONDARY)
                      for code in LANGUAGES)
    return here + languages + back


def _source(t: Translator, chosen: bool) -> str:
    return t.s("core.setup.chosen" if chosen else "core.setup.default")
