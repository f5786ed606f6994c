"""Browser tests: see conftest.py. A package, so that its conftest does not shadow tests/conftest.py
(the other tests import helpers with `from conftest import ...`)."""
