"""The bottom layer: what every app may import, importing no app itself (so far: progress reporting)."""
