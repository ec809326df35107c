"""Return-to-poverty monitoring (防止返贫动态监测): clues from every channel, department data as early warning, the
statutory procedure with its deadlines and notices, and risk elimination (DOMAIN.md §4, §8; issue 13)."""
