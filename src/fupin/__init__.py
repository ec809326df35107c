"""fupin (扶贫): county registry, standards, monitoring and reports for poverty alleviation."""
