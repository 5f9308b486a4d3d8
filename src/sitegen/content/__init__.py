"""content/ -> Articles: front matter, article files, the input manifest, symlink rules."""
