"""One person across platforms: /link joins accounts with a one-time code, /unlink splits one off."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.cog import Cog, button, command
from bot.commands import Option
from bot.context import Context
from bot.errors import UserError
from bot.i18n import Translator
from bot.models import Button, ButtonStyle, Message, Text
from bot.storage import Tx
from cogs.community import logic
from cogs.community.repository import LinkCode, LinkRepository
from cogs.community.settings import CommunitySettings

HERE = Path(__file__).parent
HOUR = timedelta(hours=1)


class CommunityCog(Cog):
    name = "community"
    settings_type = CommunitySettings
    migrations = HERE / "migrations"
    locales = HERE / "locales"
    settings: CommunitySettings

    async def cog_load(self) -> None:
        self.repo = LinkRepository(self.app.db)

    @command("link", Option("code", positional=True), Option("confirm", bool))
    async def link(self, ctx: Context, code: str | None, confirm: bool | None) -> None:
        if code is None:
            await self._issue(ctx)
        else:
            await self._redeem(ctx, code, bool(confirm))

    async def _issue(self, ctx: Context) -> None:
        now = self.app.clock.now()
        if await self.repo.codes_since(ctx.person.id, now - HOUR) >= self.settings.link_codes_per_hour:
            raise UserError("community.link.too_many_codes")
        code = logic.new_code()
        minutes = self.settings.link_code_minutes
        async with self.app.db.transaction() as tx:
            await self.repo.add_code(tx, ctx.person.id, logic.code_hash(code), ctx.account.platform, now,
                                     now + timedelta(minutes=minutes))
        await ctx.reply_private(ctx.t("community.link.code", code=code, minutes=minutes))
        if not ctx.chat.is_private:
            await ctx.reply(ctx.t("community.link.sent_privately"))

    async def _redeem(self, ctx: Context, code: str, confirm: bool) -> None:
        now = self.app.clock.now()
        account = ctx.account
        if await self.repo.failures_since(account.platform, account.user_id, now - HOUR) >= \
                self.settings.link_failures_per_hour:
            raise UserError("community.link.too_many_failures")
        async with self.app.db.transaction() as tx:
            found = await self.repo.find(tx, logic.code_hash(code))
        target = await self._check_code(found, ctx)
        if target is None:
            await ctx.reply(ctx.t("community.link.same_person"))
            return
        if not confirm and await self._has_data(ctx.person.id):
            # Both sides hold films, votes or credits: the person says yes before they become one.
            buttons = (Button(ctx.t.s("community.link.merge_button"), "community.merge", logic.normalize(code),
                              ButtonStyle.PRIMARY),
                       Button(ctx.t.s("community.link.keep_button"), "community.keep", ""))
            await ctx.reply_private(Message(ctx.t("community.link.confirm", code=code), buttons=buttons))
            return
        assert found is not None
        async with self.app.db.transaction() as tx:
            if not await self.repo.use(tx, found.id, now):
                raise UserError("community.link.bad_code")
            await self.merge(tx, ctx.person.id, target)
        await ctx.reply_private(ctx.t("community.link.done", platform=found.platform))

    async def _check_code(self, found: LinkCode | None, ctx: Context) -> int | None:
        """The person the code joins to, None when it is already ours; raises for a bad code."""
        now = self.app.clock.now()
        if found is None or found.used or found.expires_at <= now:
            await self.repo.add_failure(ctx.account.platform, ctx.account.user_id, now)
            raise UserError("community.link.bad_code")
        if found.person_id == ctx.person.id:
            return None
        accounts = await self.app.directory.accounts_of(found.person_id)
        if any(account.platform == ctx.account.platform for account in accounts):
            raise UserError("community.link.platform_taken", platform=ctx.account.platform)
        return found.person_id

    async def _has_data(self, person_id: int) -> bool:
        for cog in self.app.cogs.values():
            if await cog.person_has_data(person_id):
                return True
        return False

    async def merge(self, tx: Tx, source_id: int, target_id: int) -> None:
        """Move everything of `source` to `target` in one transaction: all of it lands, or none does."""
        for cog in self.app.cogs.values():
            await cog.merge_people(tx, source_id, target_id)
        await self.app.directory.merge_into(tx, source_id, target_id)

    async def merge_people(self, tx: Tx, source_id: int, target_id: int) -> None:
        await self.repo.move_codes(tx, source_id, target_id)

    async def forget_person(self, tx: Tx, person_id: int, t: Translator) -> list[Text]:
        """Link codes and the record of wrong guesses go; the accounts themselves are the core's."""
        await self.repo.forget(tx, person_id, await self.app.directory.accounts_of(person_id))
        return []

    @button("community.merge")
    async def press_merge(self, ctx: Context, arg: str) -> None:
        await self._redeem(ctx, arg, True)

    @button("community.keep")
    async def press_keep(self, ctx: Context, arg: str) -> None:
        await ctx.reply_private(ctx.t("community.link.kept"))

    @command("unlink")
    async def unlink(self, ctx: Context) -> None:
        accounts = await self.app.directory.accounts_of(ctx.person.id)
        if len(accounts) < 2:
            raise UserError("community.unlink.alone")
        async with self.app.db.transaction() as tx:
            await self.app.directory.split_off(tx, ctx.account, ctx.person.display_name)
        await ctx.reply_private(ctx.t("community.unlink.done", platform=ctx.account.platform))
