"""One module per output format; each registers its renderer and/or release writer when imported."""
