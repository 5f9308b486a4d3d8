"""Site folder -> output folder (recipe.py), through the stages shared with the preview
(stages.py)."""

from sitegen.build.recipe import BuildReport, build

__all__ = ["BuildReport", "build"]
