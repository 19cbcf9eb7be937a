"""Chat platforms: the only package that imports discord or telegram."""
