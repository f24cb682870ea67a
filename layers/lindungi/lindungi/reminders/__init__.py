"""Reminders: coverages ending soon -> notices -> at most one SMS per stage.

``planner`` finds what is due and queues notices, ``notices`` is their schema and
ids, ``sender`` turns a notice into an SMS through SNS, with the text ``lindungi.sms`` writes.
"""
