"""Operator and staff commands (``python -m lindungi ...``): replay, replay-receipts, reminder-dlq, sms pause,
worker, sms-settings, opt-out, unreachable, check, remind."""
