"""Assessment operations, one module per topic (as Zulip's zerver/actions/<topic>.py); import from the module.

- packs: the packs in force (shipped, the county's folder, the active uploads), uploading and switching versions.
- scope: what an assessment is asked about — Scope, resolve_scope, resolve_pack, the as-of date, the features'
  source of that date, InvalidAssessment, CATEGORY_LABELS — and the scoped lookup every topic shares.
- batch: `assess`, the whole-area run (households, or village and county exit) behind `fupin assess`.
- parallel: the household batch over two database connections (split point, helper thread, scratch table).
- areas: village and county exit (incidence of poverty, the village checklist).
- records: a run's record — started, counted, finished or discarded.
- household: one household judged now, or its latest stored decisions (Decision).
- explain: a decision's rules with values and thresholds in Chinese (the one renderer of explanations).
- whatif: re-judging under another pack, counted by township; parsing NAME=VALUE values.
- queries: runs a user may list, the flagged households, a run's totals in the user's scope, a page's decisions.

Every entry point takes the user and goes through the one scoping rule; the CLI passes no user and sees everything.
"""
