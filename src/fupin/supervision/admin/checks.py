"""The supervision admin of the checks topic."""
