"""The image stage: the site's photos in the sizes and formats pages need, without the
metadata that could endanger the people in them (docs/images.md)."""
