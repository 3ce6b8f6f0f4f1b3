"""The REST API, /api/v1/ (INTERFACES.md)."""

from django.urls import path

urlpatterns: list = []
