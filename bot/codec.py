"""Messages to and from JSON, so the outbox can hold them across a restart."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any

from bot.models import (
    Attachment,
    Button,
    ButtonStyle,
    Card,
    CardField,
    ChatName,
    Link,
    Menu,
    Message,
    Moment,
    Segment,
    Strong,
    Text,
)


def dump_message(message: Message) -> str:
    return json.dumps(_message(message), ensure_ascii=False, separators=(",", ":"))


def load_message(raw: str) -> Message:
    data = json.loads(raw)
    card = data.get("card")
    attachment = data.get("attachment")
    menu = data.get("menu")  # rows queued before menus existed have none
    return Message(
        text=_load_text(data["text"]),
        card=_load_card(card) if card else None,
        buttons=_load_buttons(data["buttons"]),
        attachment=_load_attachment(attachment) if attachment else None,
        menu=Menu(menu["placeholder"], _load_buttons(menu["items"])) if menu else None,
    )


def _message(message: Message) -> dict[str, Any]:
    attachment = message.attachment
    return {
        "text": _text(message.text),
        "card": _card(message.card) if message.card else None,
        "buttons": _buttons(message.buttons),
        "attachment": _attachment(attachment) if attachment else None,
        "menu": {"placeholder": message.menu.placeholder, "items": _buttons(message.menu.items)}
        if message.menu else None,
    }


def _buttons(buttons: tuple[Button, ...]) -> list[dict[str, Any]]:
    return [{"label": b.label, "action": b.action, "arg": b.arg, "style": b.style.value} for b in buttons]


def _load_buttons(items: list[dict[str, Any]]) -> tuple[Button, ...]:
    return tuple(Button(b["label"], b["action"], b["arg"], ButtonStyle(b["style"])) for b in items)


def _card(card: Card) -> dict[str, Any]:
    return {"title": card.title, "url": card.url, "description": _text(card.description),
            "fields": [{"name": f.name, "value": _text(f.value), "inline": f.inline} for f in card.fields],
            "thumbnail": card.thumbnail, "footer": card.footer, "kind": card.kind, "author": card.author,
            "timestamp": card.timestamp.isoformat() if card.timestamp else None,
            "image": _attachment(card.image) if card.image else None,
            "discuss": _buttons((card.discuss,)) if card.discuss else None}


def _load_card(data: dict[str, Any]) -> Card:
    return Card(title=data["title"], url=data["url"], description=_load_text(data["description"]),
                fields=tuple(CardField(f["name"], _load_text(f["value"]), f["inline"]) for f in data["fields"]),
                thumbnail=data["thumbnail"], footer=data["footer"], kind=data.get("kind"),
                author=data.get("author"),  # rows queued before cards had these have none
                timestamp=datetime.fromisoformat(data["timestamp"]) if data.get("timestamp") else None,
                image=_load_attachment(data["image"]) if data.get("image") else None,
                discuss=_load_buttons(data["discuss"])[0] if data.get("discuss") else None)


def _attachment(attachment: Attachment) -> dict[str, Any]:
    return {"filename": attachment.filename, "mime": attachment.mime_type,
            "data": base64.b64encode(attachment.data).decode()}


def _load_attachment(data: dict[str, Any]) -> Attachment:
    return Attachment(data["filename"], base64.b64decode(data["data"]), data["mime"])


def _text(text: Text) -> list[Any]:
    return [_segment(segment) for segment in text.segments]


def _segment(segment: Segment) -> Any:
    if isinstance(segment, str):
        return segment
    if isinstance(segment, Moment):
        return {"moment": segment.when.isoformat(), "style": segment.style, "lang": segment.lang}
    if isinstance(segment, Strong):
        return {"strong": segment.text}
    if isinstance(segment, ChatName):
        return {"chat": segment.chat_id, "name": segment.name}
    return {"link": segment.label, "url": segment.url}


def _load_text(items: list[Any]) -> Text:
    return Text(tuple(_load_segment(item) for item in items))


def _load_segment(item: Any) -> Segment:
    if isinstance(item, str):
        return item
    if "moment" in item:
        return Moment(datetime.fromisoformat(item["moment"]), item["style"], item.get("lang", "en"))
    if "strong" in item:
        return Strong(item["strong"])
    if "chat" in item:
        return ChatName(item["chat"], item["name"])
    return Link(item["link"], item["url"])
