"""The import benchmark (`manage.py bench_import`) and the reference it measures against."""
