"""Read the course folder (Markdown + YAML) into the validated model, every problem located."""
