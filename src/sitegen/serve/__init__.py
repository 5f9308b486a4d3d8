"""`sitegen serve`: the preview server, the file watcher and live reload."""
