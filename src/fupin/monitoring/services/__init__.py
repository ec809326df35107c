"""Monitoring's operations, one module a topic: deadlines, clues, the procedure, notices, department data,
risk elimination and figures."""
