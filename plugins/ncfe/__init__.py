"""House style plugins for ncfe."""
