"""Intake: an uploaded list -> validated rows -> stored coverages and a report.

``readers`` turn bytes into raw tables (one module per format), ``table`` finds the
list's header and which rows are workers, ``validate`` judges each row, ``report``
says what happened, ``store`` writes DynamoDB, ``ingest`` is the upload use case,
``check`` the same without AWS.
"""
