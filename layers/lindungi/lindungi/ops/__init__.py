"""Operator and staff commands (``python -m lindungi ...``): replay, sms-settings, opt-out, check, remind."""
