""".sitegen-cache/: what a rebuild can reuse (parsed articles, output fingerprints)."""
