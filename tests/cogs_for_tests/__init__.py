"""Tiny cogs used only by tests (loaded by dotted module name in [bot] cogs)."""
