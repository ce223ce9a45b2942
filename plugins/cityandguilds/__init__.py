"""House style plugins for cityandguilds."""
