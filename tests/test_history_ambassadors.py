"""An ambassador file moves a locality's date only when it changes what is published: the dates
("Senest opdateret", sitemap <lastmod>) tell nothing of who is recorded without consent (issue 17)."""
from __future__ import annotations

import datetime as dt

import pytest
import test_history
from conftest import build
from test_history import AMBASSADORS, commit, dates, lastmod, page, shown

repo = test_history.repo  # the fixture: a site root with four commits, Skibby's ambassador last

UNCONSENTED = "- id: hemmelig\n  name: Hemmelig Hansen\n  phone: \"+45 20 30 40 50\"\n"
CONSENT = "  consent:\n    given: 2026-09-01\n    fields: [name]\n"


def skibby(root) -> dt.date:
    return dates(root)["locality/skibby"]


@pytest.mark.parametrize("added", [
    UNCONSENTED,  # no consent at all
    UNCONSENTED + "  consent:\n    given: 2026-09-01\n    fields: [role]\n",  # consent without the name
    UNCONSENTED + "  consent:\n    given: 2027-01-01\n    fields: [name]\n",  # consent from a later date
    UNCONSENTED + "  consent:\n    given: 2026-03-01\n    withdrawn: 2026-06-01\n    fields: [name]\n",
])
def test_an_unpublished_ambassador_does_not_move_the_date_until_published(repo, tmp_path, added):
    assert skibby(repo) == dt.date(2026, 8, 15)
    path = repo / "content/ambassadors/skibby.yaml"
    path.write_text(AMBASSADORS + added)
    assert skibby(repo) == dt.date(2026, 8, 15)  # uncommitted, but publishes nothing new
    commit(repo, "2026-10-01T09:00:00Z", "someone added, not published")
    assert skibby(repo) == dt.date(2026, 8, 15)
    out = tmp_path / "site"
    assert not build(repo, out).failed
    assert shown(page(out, "lokalsamfund/skibby")) == ["2026-08-15"]
    assert lastmod(out)["lokalsamfund/skibby/"] == "2026-08-15"
    assert lastmod(out)["kommune/frederikssund/"] == "2026-08-15"
    # an edit of an unpublished field of a published ambassador does not count either
    path.write_text(AMBASSADORS.replace("  consent:", "  phone: \"+45 20 30 40 51\"\n  consent:") + added)
    commit(repo, "2026-10-10T09:00:00Z", "a phone number without consent")
    assert skibby(repo) == dt.date(2026, 8, 15)
    # consent given: now the page changes, and its date with it
    path.write_text(AMBASSADORS + UNCONSENTED + CONSENT)
    assert skibby(repo) == dt.date(2026, 11, 22)  # uncommitted: the build date
    commit(repo, "2026-11-02T09:00:00Z", "consent given")
    assert skibby(repo) == dt.date(2026, 11, 2)
    out2 = tmp_path / "site2"
    assert not build(repo, out2).failed
    assert shown(page(out2, "lokalsamfund/skibby")) == ["2026-11-02"]
    assert lastmod(out2)["lokalsamfund/skibby/"] == "2026-11-02"


def test_a_published_ambassador_removed_moves_the_date(repo):
    (repo / "content/ambassadors/skibby.yaml").unlink()
    commit(repo, "2026-10-01T09:00:00Z", "Birthe removed")
    assert skibby(repo) == dt.date(2026, 10, 1)


def test_consent_withdrawn_moves_the_date(repo):
    path = repo / "content/ambassadors/skibby.yaml"
    path.write_text(AMBASSADORS + "    withdrawn: 2026-09-30\n")
    commit(repo, "2026-10-01T09:00:00Z", "Birthe withdrew")
    assert skibby(repo) == dt.date(2026, 10, 1)
