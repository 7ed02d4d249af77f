"""Client-area catalogue pages."""
