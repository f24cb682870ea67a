"""Lindungi: enrollment lists in, renewal reminders out.

The shared domain of every Lambda function. Plain, typed Python: no handler,
no event shape, nothing that needs AWS to be tested except ``store`` and the
modules named after an AWS service.
"""
