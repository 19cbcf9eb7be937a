"""The challenges cog's records arriving from an export (import-json)."""
