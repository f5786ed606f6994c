"""Every record kind and field of the content format has a Danish label and help text in its
declaration (model.py): the handbook and the browser editor read them."""
import naerpoliti.schema as schema


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
        if not all(spec.da):
            missing.append(f"{name}: RecordInfo(..., da=(one, several))")
        missing += [f"{name}.{f.name}  ({f.doc})" for f in spec.fields if not (f.label_da and f.help_da)]
    assert not missing, "declare Danish label and help in naerpoliti/model.py:\n" + "\n".join(missing)


def test_labels_are_short_and_help_texts_are_sentences():
    for name, spec in _specs().items():
        for f in spec.fields:
            label, help_ = f.label_da, f.help_da
            assert label and len(label) <= 40 and "\n" not in label, (name, f.name, label)
            assert help_[:1].isupper() or help_.startswith(("true", "open-", "[")), (name, f.name, help_)
            assert help_.rstrip().endswith((".", ")")), (name, f.name, help_)


def test_the_declarations_are_read():
    title = schema.NEWS.field_named("title")
    assert (title.label_da, title.help_da) == ("Titel", "Overskriften.")
    assert schema.NEWS.field_named("date").label_da == "Dato"
    assert schema.LOCALITY.da == ("Lokalsamfund", "Lokalsamfund")
    assert schema.AMBASSADOR.da[0] == "Tryghedsambassadør"
    # an image and its alt text are two fields in the file, one attribute of the record
    names = [f.name for f in schema.OFFICER.fields]
    assert names.index("photo_alt") == names.index("photo") + 1
    # a scope is four fields in the file
    assert {"localities", "municipalities", "districts", "national"} <= {f.name for f in schema.EVENT.fields}
    assert schema.NEWSLETTER.field_named("from") is not None  # the attribute is `sender`
