"""The supervision admin of the bulletins topic."""
