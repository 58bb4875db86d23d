"""Test overrides only; everything else is config.settings as the environment sets it.

The test runner itself swaps every MAILERS entry for the locmem backend.
"""

from config.settings import *  # noqa: F403 - the test settings are the real settings plus overrides

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405 - from the star import
# Tasks triggered with delay_on_commit run in-process, so view and service tests see their
# effects; the Redis integration test starts a real worker instead.
CELERY_TASK_ALWAYS_EAGER = True
