import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("pairwise")
# Every Celery option lives in Django settings under the CELERY_ prefix, so one module
# (driven by the environment) configures both the web app and the workers.
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
