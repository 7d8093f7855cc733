"""Factory profiles: capabilities, photos, the public directory and the import."""
