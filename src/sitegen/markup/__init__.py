"""Markdown -> HTML: the engine interface, typography, excerpts; each engine's speed-ups."""
