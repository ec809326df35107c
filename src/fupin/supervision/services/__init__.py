"""The supervision services, one module a topic: problems (the ledger's steps), checks (plans, draws, checklists),
bulletins (rankings and summaries) and the estimates the county exit reads."""
