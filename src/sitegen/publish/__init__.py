"""Made files -> build/: staged, checked, swapped in at once; sums and bundles."""
