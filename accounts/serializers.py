"""Serializers of people and departments that other apps' APIs embed."""

from __future__ import annotations

from rest_framework import serializers

from accounts.models import Department


class DepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "name", "slug"]
