"""Feature cogs: each folder is one room of the house, loaded by name from [bot] cogs."""
