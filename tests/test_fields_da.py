"""Every record kind and field of the content format has a Danish label and help text, and no
Danish entry names a field that does not exist (the handbook and the browser editor read them)."""
import naerpoliti.schema as schema
from naerpoliti.fields_da import FIELDS_DA, RECORDS_DA, field_da, record_da


def _specs():
    # Scan the module, so a RecordSpec added later is caught without editing this test.
    return {v.name: v for v in vars(schema).values() if isinstance(v, schema.RecordSpec)}


def test_the_scan_finds_the_record_specs():
    names = set(_specs())
    assert {"site setting", "locality", "officer", "ambassador", "consent", "news item", "event",
            "page", "newsletter intro"} <= names


def test_every_record_and_field_has_danish_text():
    missing = []
    for name, spec in _specs().items():
        if name not in RECORDS_DA:
            missing.append(f"RECORDS_DA[{name!r}]")
        for f in spec.fields:
            if f.name not in FIELDS_DA.get(name, {}):
                missing.append(f"FIELDS_DA[{name!r}][{f.name!r}]  ({f.doc})")
    assert not missing, "add Danish entries to naerpoliti/fields_da.py:\n" + "\n".join(missing)


def test_no_danish_entry_for_a_field_that_does_not_exist():
    specs = _specs()
    stale = [f"RECORDS_DA[{n!r}]" for n in RECORDS_DA if n not in specs]
    for name, fields in FIELDS_DA.items():
        spec = specs.get(name)
        if spec is None:
            stale.append(f"FIELDS_DA[{name!r}] (no RecordSpec named so)")
            continue
        stale += [f"FIELDS_DA[{name!r}][{f!r}]" for f in fields if spec.field_named(f) is None]
    assert not stale, "remove or rename in naerpoliti/fields_da.py:\n" + "\n".join(stale)


def test_labels_are_short_and_help_texts_are_sentences():
    for name, fields in FIELDS_DA.items():
        for fname, (label, help_) in fields.items():
            assert label and len(label) <= 40 and "\n" not in label, (name, fname, label)
            assert help_[:1].isupper() or help_.startswith(("true", "open-", "[")), (name, fname, help_)
            assert help_.rstrip().endswith((".", ")")), (name, fname, help_)
    for name, (one, several) in RECORDS_DA.items():
        assert one and several, name


def test_lookups_return_the_danish_text():
    assert field_da(schema.NEWS, schema.NEWS.field_named("title")) == FIELDS_DA["news item"]["title"]
    assert field_da(schema.NEWS, schema.NEWS.field_named("date"))[0] == "Dato"
    assert record_da(schema.LOCALITY) == ("Lokalsamfund", "Lokalsamfund")
    assert record_da(schema.AMBASSADOR)[0] == "Tryghedsambassadør"
