"""Python-Markdown with sitegen's extensions and its faster inline and block parsers."""
