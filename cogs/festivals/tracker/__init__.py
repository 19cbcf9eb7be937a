"""The festival tracker: who follows which festival and what each maker submitted where (its SQL in
repository.py, as every part of a cog keeps it)."""
