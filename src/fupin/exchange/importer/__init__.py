"""The import of one file: stage, validate, check against the registry, then write everything or nothing.

Stages, each a few set operations in DuckDB whatever the row count, and where each lives:
1. reading (reading/): every sheet into a DuckDB table of text cells;
2. validation.normalise: each cell to canonical text or an error (row, column, value, reason);
3. fetch.py and checks.py: the registry rows the file names; what the file says against itself (same ID twice, one
   household with two head names) and against the registry (household numbers, IDs registered elsewhere,
   villages outside the uploader's area);
4. plan.py: each record new, updated (which fields, old → new) or unchanged;
5. write.py: inside one transaction with the registry tables locked, new records bulk-loaded, changed ones updated,
   one audit entry per record. Any error anywhere — or a dry run — and the transaction is rolled back.
run.py holds Import, one file's state, which runs the stages in this order and returns the Outcome.

A blank cell never erases: for an existing record it leaves the stored value; for a new one it means the
field's default. Records are matched by household number (户编号), by ID number (证件号码) and by year (年度).
"""
