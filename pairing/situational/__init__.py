"""Situational mentoring: one-off help on one challenge, booked in a helper's office hours.

rules holds what decides a booking (the cap, the horizon, the notice), selectors the reads
(free slots), booking the writes that hold a slot, notices the invitations and reminders.
"""
