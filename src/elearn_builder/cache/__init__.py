"""The caches a build may be given: finished builds, parsed YAML, rendered Markdown, templates."""
