"""CITATION.cff: valid Citation File Format 1.2.0, and it says what the project says."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import yaml

SCHEMA = Path(__file__).parent / "schemas" / "citation-file-format-1.2.0.json"


def _citation() -> dict[str, object]:
    citation = Path(__file__).resolve().parents[1] / "CITATION.cff"
    data = yaml.safe_load(citation.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_citation_file_is_valid_cff_1_2_0() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    data = _citation()
    jsonschema.validate(data, schema)
    assert data["cff-version"] == "1.2.0"


def test_citation_file_states_both_licences_and_the_dataset() -> None:
    data = _citation()
    assert data["type"] == "dataset"
    assert data["license"] == ["CC-BY-4.0", "Apache-2.0"]
    assert "release" in str(data["message"])
    broken = {**data, "license": "not a licence"}
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    try:
        jsonschema.validate(broken, schema)
    except jsonschema.ValidationError:
        return
    raise AssertionError("the schema accepted a licence that is not an SPDX id")
