"""The PostgreSQL backend, without the `varchar_pattern_ops` twin of every indexed text column.

Django's PostgreSQL backend gives each indexed `varchar` column (every text primary key and
foreign key here: the package's ids) a second index, `<name>_like`, which serves only
`LIKE 'prefix%'` on that column. No query of the app asks that of an id (search runs on the
trigram-indexed `search_text`, ids are matched whole), and each twin costs every insert, update
and import a second index write: 98 of them on the case tables. This backend creates none;
migration `cases.0018_drop_like_indexes` drops those the stock backend had created. A query that
ever needs a prefix match on an id can declare its own index (`Meta.indexes` with `opclasses`).
"""
