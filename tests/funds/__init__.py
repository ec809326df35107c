"""Tests of the funds app: funds and ledgers, projects, standards, assets, links."""
