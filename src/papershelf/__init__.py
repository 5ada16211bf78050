"""papershelf: a static site generator for a curated reading list of research papers."""

__version__ = "0.1.0"
