"""Articles -> Site: order, tags, listings, related articles, redirects, URL clashes."""
