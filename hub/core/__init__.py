"""Cross-cutting pieces: the home page, language switch, time helpers, uploads and error pages."""
