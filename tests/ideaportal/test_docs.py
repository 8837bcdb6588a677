from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_readme_configuration_table_lists_every_environment_variable():
    settings_source = (ROOT / "ideaportal" / "settings.py").read_text()
    read = set(re.findall(r'env_(?:str|bool|int|list)\(\s*"([A-Z_]+)"', settings_source))
    readme = (ROOT / "README.md").read_text()
    documented = set(re.findall(r"`([A-Z][A-Z_]+)`", readme))
    missing = read - documented
    assert not missing, f"variables read by settings but not in the README table: {sorted(missing)}"


def test_readme_opens_with_the_run_and_test_commands():
    readme = (ROOT / "README.md").read_text()
    first_block = readme.split("```", 2)[1]
    assert "make run" in first_block
    assert "make test" in first_block


def test_schema_is_served_as_json_with_format_parameter(client, db):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Ideaportal API"
