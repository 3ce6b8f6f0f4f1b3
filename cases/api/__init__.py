"""The case records of the REST API (/api/v1/, INTERFACES.md "HTTP").

`base` holds what every case-record endpoint shares (visibility, field rules, filters, audit);
`views` the endpoints of this app. FTMs, family time, screenings and services use the same base
from their own apps' `api.py`.
"""
