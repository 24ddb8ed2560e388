"""Message catalogs: one dict per language with the same keys and placeholders."""
