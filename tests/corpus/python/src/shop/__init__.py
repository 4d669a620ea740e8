"""A small shop back end with deliberate bugs (grouping corpus application)."""
# @1.0.1 # Release 1.0.1: same bugs, lines shifted by the comments and debug logging it adds.
