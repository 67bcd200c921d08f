"""Glue for the Textual UI that is not a widget: safe text, keymap, state, workers, live events."""
