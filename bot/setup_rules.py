"""/setup rule: a community's admins set, in chat, the rules the config gives every community by default
(a challenge's points, the genres, what a critique costs and earns...); see bot/rules.py."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.cog import Cog, command, completer
from bot.commands import Option
from bot.context import Context
from bot.errors import UserError
from bot.models import Text
from bot.rules import rule_key, shown

if TYPE_CHECKING:
    from bot.app import App

RULE = Option("rule", positional=True, required=True, autocomplete="rules")
VALUE = Option("value", positional=True, required=True, greedy=True)


class RuleCommands:
    """Mixed into the core's commands (bot/builtin.py), beside /setup's channels, zone and language."""

    app: App

    def rule_cogs(self) -> list[Cog]:
        return [cog for cog in self.app.cogs.values() if cog.community_rules]

    def find_rule(self, typed: str) -> tuple[Cog, str] | None:
        """The cog and rule `typed` names: `points` or `challenges.points`."""
        name = typed.strip().lower().replace("-", "_")
        found = [(cog, rule) for cog in self.rule_cogs() for rule in cog.community_rules
                 if name in (rule, f"{cog.name}.{rule}")]
        return found[0] if len(found) == 1 else None

    def rule_names(self) -> list[str]:
        return [rule for cog in self.rule_cogs() for rule in cog.community_rules]

    @command("setup rule", RULE, VALUE, admin=True)
    async def setup_rule(self, ctx: Context, rule: str, value: str) -> None:
        found = self.find_rule(rule)
        if found is None:
            raise UserError("core.rules.unknown", rule=rule[:64], rules=", ".join(self.rule_names()))
        cog, name = found
        taken = await self.app.rules.choose(cog, ctx.community.id, name, value)
        await ctx.reply(ctx.t("core.rules.set", rule=name, value=shown(taken)))

    async def reset_rule(self, ctx: Context, typed: str) -> list[str] | None:
        """The stored key /setup reset puts back for a rule's name, or None when it names no rule."""
        found = self.find_rule(typed)
        if found is None:
            return None
        cog, name = found
        await cog.check_rule(ctx.community.id, name, getattr(cog.settings, name))  # the default must fit now too
        return [rule_key(cog.name, name)]

    async def rule_lines(self, ctx: Context) -> list[Text]:
        """/setup show's part: every rule with its value for this community and where the value comes from."""
        lines: list[Text] = []
        for cog in self.rule_cogs():
            settings, chosen = await cog.rules(ctx.community.id), await self.app.rules.chosen(cog, ctx.community.id)
            for name in cog.community_rules:
                key = f"{cog.name}.rules.{name}"
                about = ctx.t.s(key) if ctx.t.catalog.has("en", key) else name
                source = ctx.t.s("core.setup.chosen" if name in chosen else "core.setup.default")
                lines.append(ctx.t("core.rules.line", rule=name, about=about,
                                   value=shown(getattr(settings, name)), source=source))
        return [ctx.t("core.rules.header"), *lines] if lines else []

    @completer("rules")
    async def complete_rules(self, community_id: int, prefix: str) -> list[tuple[str, str]]:
        typed = prefix.strip().lower()
        return [(name, name) for name in self.rule_names() if typed in name][:25]
