"""Policy standards as versioned data: the household feature catalogue, the rule language, and policy packs.

The layering is deliberate: `features` names what a rule may talk about, `rules` turns rule text into a checked
typed tree and compiles it (never executing the text itself), `packs` holds the lines, thresholds and rules of one
region and year. Computing features from the registry and storing decisions come in later layers.
"""
