"""Policy standards as versioned data: the household feature catalogue, the rule language, and policy packs.

The layering is deliberate: `features` names what a rule may talk about, `rules` turns rule text into a checked
typed tree and compiles it (never executing the text itself), `packs` holds the lines, thresholds and rules of one
region and year. `compute` turns registry rows into those features inside the registry database, `evaluation`
combines a pack's rules per assessment kind (compiled to SQL for the batch, evaluated in Python for one household),
`services/` runs assessments, explains decisions and compares packs, one module per topic.
"""
