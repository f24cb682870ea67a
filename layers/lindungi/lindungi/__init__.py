"""Lindungi: enrollment lists in, renewal reminders out.

The shared domain of every Lambda function. Plain, typed Python: no handler,
no event shape. Its packages are the stages (``intake``, ``reminders``, and
``rekap`` and ``ops``, which read what those two wrote); its plain modules are
the ground they stand on (``nik``, ``phone``, ``config``, ``dynamo``, ...),
which imports no stage (``tests/unit/test_import_plan.py``).
"""
