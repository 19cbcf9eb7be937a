"""What tests and benchmarks share, shipped with the bot as errbot ships its test backend: the console
harness (a whole bot on a virtual clock), a voting round set up in code, and the loopback stand-ins for
Discord and Telegram that the real libraries talk to (fakes/). Nothing here runs in production."""
