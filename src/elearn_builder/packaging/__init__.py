"""Package files to reproducible zip bytes, and the zips written to the output folder."""
