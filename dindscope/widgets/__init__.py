"""Widgets of the dindscope TUI."""
