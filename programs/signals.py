"""Signals programs/ sends so other apps can react without programs/ importing them."""

from django.dispatch import Signal

# Sent inside the transaction that marked people as leavers (their logins inactive),
# with `employee_ids`: the pairing app ends their live pairings in the same transaction,
# so a leaver is never left half-gone.
employees_left = Signal()

# Sent inside the transaction that erases a person (programs.services.employee_erase),
# with `employee_id`, after they were made a leaver and their directory fields anonymised:
# the pairing app deletes the free text they wrote there (private notes, decline notes,
# survey comments) in the same transaction.
employee_erased = Signal()

# Sent inside the transaction that withdrew people from a programme (HR withdrew them, or
# they left it themselves), with `participant_ids` and `actor` (the user, or None): the
# pairing app closes their live proposals and pairings in the same
# transaction, as it does for leavers.
participants_withdrawn = Signal()
