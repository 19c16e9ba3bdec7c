"""The model to package files in memory: HTML pages, runtime data, media, per stage and standard."""
