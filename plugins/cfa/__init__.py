"""House style plugins for cfa."""
