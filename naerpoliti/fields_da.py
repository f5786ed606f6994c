"""Danish labels and help texts for every field of the content format.

The editors' handbook (docs/, generated field pages) and the browser editor (admin/, Decap CMS)
read these, so an editor meets the same words everywhere. Keyed by RecordSpec.name, then by
field name; tests keep this complete against naerpoliti/schema.py.
"""
from __future__ import annotations

# RecordSpec.name -> (Danish name of one record, Danish name of several)
RECORDS_DA: dict[str, tuple[str, str]] = {}

# RecordSpec.name -> field name -> (short Danish label, Danish help text)
FIELDS_DA: dict[str, dict[str, tuple[str, str]]] = {}


def field_da(spec, field) -> tuple[str, str]:
    """(label, help) in Danish for a schema Field of a RecordSpec; falls back to the English doc."""
    return FIELDS_DA.get(spec.name, {}).get(field.name, (field.name, field.doc))


def record_da(spec) -> tuple[str, str]:
    return RECORDS_DA.get(spec.name, (spec.name, spec.name + "s"))
