"""Remediations: the fix catalog, and the changes each fix makes to a snapshot for what-if."""
