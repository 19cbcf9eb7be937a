"""microfilm-bot: a community bot for makers of microfilms."""

__version__ = "0.1.0"
