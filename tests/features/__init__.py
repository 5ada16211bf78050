"""The reader-facing features: search, charts, citations, sharing and progress output."""
