from __future__ import annotations

import pytest
from django.core.management import call_command
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db


def test_openapi_schema_describes_the_ideas_api_without_warnings(tmp_path):
    import yaml

    out = tmp_path / "schema.yaml"
    # --fail-on-warn: a view the generator cannot describe fails the build.
    call_command("spectacular", "--fail-on-warn", "--file", str(out))
    schema = yaml.safe_load(out.read_text())
    validate(schema)
    paths = schema["paths"]
    for path in (
        "/api/v1/ideas/",
        "/api/v1/ideas/{id}/",
        "/api/v1/ideas/{id}/transitions/",
        "/api/v1/ideas/{id}/patent/",
        "/api/v1/ideas/{id}/history/",
        "/api/v1/ideas/{id}/vote/",
        "/api/v1/ideas/{id}/comments/",
        "/api/v1/ideas/{id}/follow/",
        "/api/v1/ideas/{id}/scorecard/",
        "/api/v1/ideas/similar/",
        "/api/v1/ideas/export/",
        "/api/v1/campaigns/",
    ):
        assert path in paths, path
    list_params = {p["name"] for p in paths["/api/v1/ideas/"]["get"]["parameters"]}
    assert {"status", "campaign", "department", "tag", "author", "q", "ordering"} <= list_params
    conflict = paths["/api/v1/ideas/{id}/transitions/"]["post"]["responses"]["409"]
    assert conflict["content"]["application/json"]["schema"]["$ref"].endswith("/Conflict")
    assert "allowed_transitions" in schema["components"]["schemas"]["Conflict"]["properties"]
