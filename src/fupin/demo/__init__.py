"""`fupin demo`: a synthetic county that looks like the ones in the users' reports, deterministically and fast.

Why synthetic data at all: demos, manual testing of every screen and the benchmarks need counties of
realistic size and shape (tens of thousands of registered poor, incidence in the tens of percent at
registration, about 1 % left by 2019, monitoring after 2020), and real registry data may never leave a county.

Why a package of its own, in the top layer: the demo builds every app's data, so it may import every app, and
no app imports it. It grows with the apps: each app's demo data is one module with one entry function,
`build(township) -> {model label: rows}`, listed in `build.PARTS` and called there in order on every township
— `households` (the registry), then `areas` (the populations it generated). Monitoring, assistance and funds
add theirs after these, reading the arrays the earlier parts left on the `Township` (the monitored households,
their dates and categories) and adding their tables to `build.CHUNK_MODELS`. The rest are helpers: `names`
(the name tables), `arrays` (vectorised helpers), `people`, `events` and `incomes` (the registry part's
draws), `policy` (the lines the incomes are drawn around, from the policy packs), `users` (the logins, made
after the load), `load` (clearing, ids, the two-process pipeline).

How it stays fast (1,000,000 persons in well under a minute on two cores): every column is generated with
numpy per township ("chunk"), never record by record; a chunk is written in bulk through Django's own
connection (sqlite3 `executemany`, PostgreSQL `COPY`), inside one transaction, with explicit primary keys so
that children reference parents without round trips, and with the secondary indexes and foreign keys of the
registry tables set aside during the load and rebuilt once at the end. Chunks are generated in a second
process while the first one writes, so memory stays bounded at any size and both cores work.

How it stays deterministic: chunk k draws from `PCG64(SeedSequence([seed, county, township]))`, so the same
(persons, seed, as-of date) always gives the same rows, whichever process generated them. A new part draws
after the existing ones, so adding it leaves their data as it was.

Household status fields are not invented here: the status events are generated and the household fields
are what `services.apply_event` gives when the events are replayed (see `events.replay_events`).
"""
