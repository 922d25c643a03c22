"""Reports: rollups kept by the worker and the queries that read them.

`rollups` (the worker's duty and `sightline rollup --rebuild`) writes what `cube` defines;
`query` reads closed days from the rollups and today from raw events; `reports`, `funnel` and
`live` shape the figures the API and the admin page show. `period` parses report inputs,
`localtime` knows each shop's days, `dialect` hides the SQLite/PostgreSQL differences.
"""
