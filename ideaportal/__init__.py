"""Ideaportal project package: settings, root URLs, the Celery app."""

from ideaportal.celery import app as celery_app

__all__ = ("celery_app",)
