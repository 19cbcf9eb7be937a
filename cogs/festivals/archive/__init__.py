"""The festivals cog's records moving out (a person forgotten) and in (a community imported)."""
