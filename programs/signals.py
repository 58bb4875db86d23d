"""Signals programs/ sends so other apps can react without programs/ importing them."""

from django.dispatch import Signal

# Sent inside the transaction that marked people as leavers (their logins inactive),
# with `employee_ids`: the pairing app ends their live pairings in the same transaction,
# so a leaver is never left half-gone.
employees_left = Signal()
