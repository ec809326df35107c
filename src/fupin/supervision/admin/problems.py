"""The supervision admin of the problems topic."""
