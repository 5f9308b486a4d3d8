"""sitegen: a static site generator for advocacy news archives."""

__version__ = "0.1.0"
