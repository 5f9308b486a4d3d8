"""Site -> the planned output files: templates, theme, feeds, sitemap, search."""
