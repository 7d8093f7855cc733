"""Running the matcher: the in-memory index, organiser aliases, match and chain pages and API, imports."""
