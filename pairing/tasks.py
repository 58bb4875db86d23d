"""Celery tasks: thin interfaces that take ids, load rows and call one service."""
