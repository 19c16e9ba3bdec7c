"""``elearn preview`` and ``elearn build --watch``: rebuild on change, serve to a browser."""
