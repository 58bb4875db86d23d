"""The load and fault scenario (issue 17): `make loadtest` and `make loadtest-faults`.

Not part of the test suite: nothing here is named test_*.py, so pytest collects none of it.
"""
