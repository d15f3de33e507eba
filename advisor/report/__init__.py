"""The recommendation model and one renderer per output format."""
