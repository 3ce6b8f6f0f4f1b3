"""The case records of the REST API (/api/v1/, INTERFACES.md "HTTP").

`base` holds what every case-record endpoint shares (visibility, field rules, filters, audit);
`writes` what every written one shares (POST and PATCH in the package's vocabulary, the
client's ids, refusals as 400s naming the field); `views` the endpoints of this app. FTMs,
family time, screenings and services use the same base from their own apps' `api.py`.
"""
