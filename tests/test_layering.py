"""DESIGN's one-way arrows: platforms -> core <- cogs."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PLATFORM_LIBRARIES = {"discord", "telegram"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def top(name: str) -> str:
    return name.split(".")[0]


def core_modules() -> list[Path]:
    """The core: bot/ but its platforms and the testing kit (stand-ins for the platforms, a harness)."""
    return [path for path in (ROOT / "bot").rglob("*.py")
            if not {"platforms", "testing"} & set(path.relative_to(ROOT / "bot").parts)]


def test_core_never_imports_a_platform_library_or_a_cog() -> None:
    for path in core_modules():
        imports = imported_modules(path)
        assert not {top(name) for name in imports} & PLATFORM_LIBRARIES, path
        assert not any(name.startswith("cogs") for name in imports), path
        assert not any(name.startswith("bot.platforms.discord") or name.startswith("bot.platforms.telegram")
                       for name in imports), path


def test_the_testing_kit_reaches_the_platform_libraries_only_through_the_platforms() -> None:
    # The stand-ins speak the platforms' wire formats; what they need of discord.py or PTB (the library's
    # endpoints, Telegram's reaction set) comes from bot/platforms/, the one place that imports them.
    for path in (ROOT / "bot" / "testing").rglob("*.py"):
        assert not {top(name) for name in imported_modules(path)} & PLATFORM_LIBRARIES, path


def test_cogs_never_import_a_platform() -> None:
    for path in (ROOT / "cogs").rglob("*.py"):
        imports = imported_modules(path)
        assert not {top(name) for name in imports} & PLATFORM_LIBRARIES, path
        assert not any(name.startswith("bot.platforms") for name in imports), path


def test_platforms_and_the_testing_kit_never_import_a_cog() -> None:
    for path in [*(ROOT / "bot" / "platforms").rglob("*.py"), *(ROOT / "bot" / "testing").rglob("*.py")]:
        assert not any(name.startswith("cogs") for name in imported_modules(path)), path


def test_benchmarks_never_import_the_tests() -> None:
    for path in (ROOT / "bench").rglob("*.py"):
        assert not any(top(name) == "tests" for name in imported_modules(path)), path


SQL_KEYWORDS = ("SELECT ", "INSERT INTO", "UPDATE ", "DELETE FROM")
# The core's services that own tables, each the one home of its tables' SQL (as a cog's repository is).
CORE_SQL_HOMES = {"directory.py", "community_settings.py", "outbox.py", "scheduler.py", "sent.py", "gaps.py",
                  "migrations.py", "telegram_inbox.py", "telegram_held.py"}


def test_sql_lives_only_in_repositories_and_migrations_of_cogs() -> None:
    for path in (ROOT / "cogs").rglob("*.py"):
        if path.name == "repository.py":  # a cog's repositories (one per part) are its only homes for SQL
            continue
        text = path.read_text(encoding="utf-8")
        for keyword in SQL_KEYWORDS:
            assert keyword not in text, f"{path} has SQL ({keyword.strip()})"


def test_the_core_keeps_sql_in_the_services_that_own_the_tables() -> None:
    for path in [*core_modules(), *(ROOT / "bot" / "platforms").rglob("*.py")]:
        if path.name in CORE_SQL_HOMES or path.parent.name == "storage":
            continue
        text = path.read_text(encoding="utf-8")
        for keyword in SQL_KEYWORDS:
            assert keyword not in text, f"{path} has SQL ({keyword.strip()}); ask the service that owns the table"
