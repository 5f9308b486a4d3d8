"""Importers from other publishing systems."""
