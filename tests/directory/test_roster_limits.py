"""Roster files have a row cap and are read as streams: a file over the cap is refused by name, with the
cap and where bigger imports go, before its rows are held; nothing of the import is written."""
from __future__ import annotations

import io
import tracemalloc

import pytest
import sqlalchemy as sa

from clinic.directory.models import Clinician, Organization, Plan
from clinic.directory.roster import RosterError, import_roster
from tests.directory.test_roster import roster

CAP_MESSAGE = ("organizations.csv: the file has more than 3 rows, the most one import takes; nothing was imported. "
               "Import a bigger file from the command line, with a higher cap: clinic directory import DIR --max-rows N")


def _organizations(rows: int) -> bytes:
    return ("name,kind\n" + "".join(f"Clinic {n},hospital\n" for n in range(rows))).encode()


def _count(session, model) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(model))


def test_a_file_over_the_cap_is_refused_by_name_and_nothing_of_the_import_is_written(session):
    files = {"clinicians.csv": roster()["clinicians.csv"], "organizations.csv": _organizations(4)}
    with pytest.raises(RosterError) as error:
        import_roster(None, files, max_rows=3)
    assert [str(p) for p in error.value.problems] == [CAP_MESSAGE]
    assert _count(session, Clinician) == _count(session, Organization) == 0


def test_a_file_at_the_cap_is_imported(session):
    import_roster(None, {"organizations.csv": _organizations(3)}, max_rows=3)
    assert _count(session, Organization) == 3


def test_the_cap_counts_rows_not_lines(session):
    """Blank lines are not rows, and a quoted line break is not a row either (a name may not hold one:
    that row is refused for it, not counted twice)."""
    text = b'name,kind\n"Clinic, North",hospital\n\n\n"Clinic, South",hospital\n'
    import_roster(None, {"organizations.csv": text}, max_rows=2)
    assert _count(session, Organization) == 2
    broken = b'name,kind\n"Clinic\nEast",hospital\n"Clinic West",hospital\n'
    with pytest.raises(RosterError) as refused:
        import_roster(None, {"organizations.csv": broken}, max_rows=2)
    assert [p.line for p in refused.value.problems] == [3] and "more than" not in str(refused.value.problems[0])


def test_the_admin_page_refuses_a_file_over_the_setting_and_says_where_bigger_imports_go(app, client_as, session,
                                                                                         monkeypatch):
    monkeypatch.setitem(app.config, "ROSTER_MAX_ROWS", 3)
    admin = client_as("admin")
    assert "clinic directory import DIR --max-rows N" in admin.get("/directory/import").get_data(as_text=True)
    data = {"files": [(io.BytesIO(roster()["clinicians.csv"]), "clinicians.csv"),
                      (io.BytesIO(_organizations(4)), "organizations.csv")]}
    response = admin.post("/directory/import", data=data, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Import refused; nothing was changed." in page
    assert "the file has more than 3 rows" in page and "organizations.csv" in page
    assert _count(session, Clinician) == 1 and _count(session, Organization) == 0  # users fixture's specialist


def test_the_command_line_takes_a_higher_cap(app, session, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "ROSTER_MAX_ROWS", 3)
    (tmp_path / "organizations.csv").write_bytes(_organizations(5))
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["directory", "import", str(tmp_path)])
    assert refused.exit_code == 1 and "the file has more than 3 rows" in refused.output
    assert _count(session, Organization) == 0
    accepted = runner.invoke(args=["directory", "import", str(tmp_path), "--max-rows", "5"])
    assert accepted.exit_code == 0, accepted.output
    assert _count(session, Organization) == 5


def test_refusing_a_200k_row_file_holds_far_less_memory_than_the_file(app, session, tmp_path):
    """Through the command line with the default cap (100,000): the rows are counted as a stream, never
    held; the whole file used to be read, decoded and split first (several times its size)."""
    path = tmp_path / "plans.csv"
    with path.open("w") as out:
        out.write("payer,plan\n")
        for n in range(200_000):
            out.write(f"Acme Health {n:06d},Gold PPO with a longer plan name {n:06d}\n")
    size = path.stat().st_size
    tracemalloc.start()
    try:
        result = app.test_cli_runner().invoke(args=["directory", "import", str(tmp_path)])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.exit_code == 1 and "plans.csv: the file has more than 100,000 rows" in result.output
    assert _count(session, Plan) == 0
    print(f"peak {peak:,} bytes for a file of {size:,}")
    assert peak < size / 20, f"peak {peak:,} bytes for a file of {size:,}"


def test_the_availability_command_streams_its_file_under_the_same_cap(app, session, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "ROSTER_MAX_ROWS", 2)
    path = tmp_path / "openings.csv"
    path.write_text("npi,weekday,start,end,slot_minutes,timezone,modality,location\n"
                    + "1234567893,Monday,09:00,10:00,30,America/Chicago,video,\n" * 3)
    result = app.test_cli_runner().invoke(args=["availability", "import", str(path)])
    assert result.exit_code == 1 and "availability.csv: the file has more than 2 rows" in result.output
    bad_bytes = tmp_path / "latin1.csv"
    bad_bytes.write_bytes(b"npi,weekday,start,end,slot_minutes,timezone,modality,location\n\xe9\n")
    result = app.test_cli_runner().invoke(args=["availability", "import", str(bad_bytes)])
    assert result.exit_code == 1 and "line 2: not UTF-8 text" in result.output  # was replaced silently
