"""JSON Schemas (draft 2020-12) of the open-data files, written by hand; see render/opendata.py."""
