"""availability.csv: every bad row named by file, line and column; nothing written unless all rows are good."""
from __future__ import annotations

from datetime import time

import pytest
import sqlalchemy as sa

from clinic.scheduling.models import AvailabilityRule
from clinic.scheduling.roster import RosterError, import_availability
from tests import factories

HEADER = "npi,weekday,start,end,slot_minutes,timezone,modality,location\n"


@pytest.fixture
def doctor(app):
    return factories.ClinicianFactory(timezone="America/Chicago")


def rules(session, doctor):
    return session.scalars(sa.select(AvailabilityRule).where(AvailabilityRule.specialist_id == doctor.id)
                           .order_by(AvailabilityRule.weekday, AvailabilityRule.start_time)).all()


def test_good_rows_are_imported_and_a_second_import_updates_them(session, doctor):
    text = HEADER + (f"{doctor.npi},Monday,09:00,12:00,60,America/Chicago,video,https://video.example/a\n"
                     f"{doctor.npi},3,13:00,17:00,30,America/Chicago,in_person,\"Suite 4, 2nd floor\"\n")
    assert import_availability(None, text).new == 2
    found = rules(session, doctor)
    assert [(r.weekday, r.start_time, r.slot_minutes, r.location) for r in found] == [
        (0, time(9), 60, "https://video.example/a"), (3, time(13), 30, "Suite 4, 2nd floor")]
    import_availability(None, HEADER + f"{doctor.npi},mon,09:00,11:00,45,America/Chicago,in_person,Room 1\n")
    assert [(r.end_time, r.slot_minutes, r.modality) for r in rules(session, doctor)][0] == \
        (time(11), 45, "in_person")
    assert len(rules(session, doctor)) == 2


@pytest.mark.parametrize("row, column, reason", [
    ("9999999999,Monday,09:00,12:00,60,America/Chicago,video,", "npi", "No specialist with NPI"),
    (",Monday,09:00,12:00,60,America/Chicago,video,", "npi", "missing"),
    ("{npi},Caturday,09:00,12:00,60,America/Chicago,video,", "weekday", "weekday name"),
    ("{npi},Monday,9am,12:00,60,America/Chicago,video,", "start", "HH:MM"),
    ("{npi},Monday,09:00,25:00,60,America/Chicago,video,", "end", "HH:MM"),
    ("{npi},Monday,12:00,09:00,60,America/Chicago,video,", "end", "later than the start"),
    ("{npi},Monday,09:00,12:00,sixty,America/Chicago,video,", "slot_minutes", "whole number"),
    ("{npi},Monday,09:00,12:00,5,America/Chicago,video,", "slot_minutes", "from 10 to 480"),
    ("{npi},Monday,09:00,12:00,60,Chicago,video,", "timezone", "IANA"),
    ("{npi},Monday,09:00,12:00,60,America/Chicago,phone,", "modality", "in_person or video"),
    ("{npi},Monday,09:00,12:00,60,America/Chicago,video,ftp://x", "location", "https://"),
    ("{npi},Monday,09:00,12:00,60,America/Chicago,video,,extra", None, "the header has 8"),
])
def test_each_bad_cell_is_named_by_file_line_and_column(session, doctor, row, column, reason):
    good = f"{doctor.npi},Friday,09:00,12:00,60,America/Chicago,video,\n"
    with pytest.raises(RosterError) as caught:
        import_availability(None, HEADER + good + row.format(npi=doctor.npi) + "\n")
    (error,) = caught.value.problems
    assert (error.file, error.line, error.column) == ("availability.csv", 3, column)
    assert reason in error.reason
    assert rules(session, doctor) == [], "all or nothing: the good row was not written either"


def test_unknown_and_missing_columns_are_refused_on_line_one(doctor):
    with pytest.raises(RosterError) as caught:
        import_availability(None, "npi,weekday,start,finish,slot_minutes,timezone,modality,colour\n")
    assert {(e.line, e.column, e.reason.split(";")[0]) for e in caught.value.problems} == {
        (1, "finish", "unknown column"), (1, "colour", "unknown column"), (1, "end", "missing column"),
        (1, "location", "missing column")}


def test_overlapping_openings_on_one_weekday_are_refused(session, doctor):
    factories.AvailabilityRuleFactory(specialist=doctor, weekday=2, start_time=time(9), end_time=time(12))
    with pytest.raises(RosterError) as caught:
        import_availability(None, HEADER + f"{doctor.npi},Wednesday,11:00,13:00,60,America/Chicago,video,\n")
    assert caught.value.problems[0].line == 2 and "overlaps the Wednesday opening 09:00–12:00" in \
        caught.value.problems[0].reason


@pytest.mark.parametrize("text", ["", "\ufeff" + HEADER, HEADER + "\n\n"])
def test_empty_files_import_nothing(session, doctor, text):
    if text.strip("\ufeff\n") == "":
        with pytest.raises(RosterError):
            import_availability(None, text)
    else:
        assert import_availability(None, text).new == 0


def test_the_cli_imports_a_file_and_reports_errors(app, doctor, tmp_path, session):
    good = tmp_path / "availability.csv"
    good.write_text(HEADER + f"{doctor.npi},Tuesday,08:00,10:00,30,America/Chicago,in_person,Room 2\n")
    result = app.test_cli_runner().invoke(args=["availability", "import", str(good)])
    assert result.exit_code == 0 and "1 new" in result.output
    bad = tmp_path / "broken.csv"
    bad.write_text(HEADER + f"{doctor.npi},Tuesday,08:00,10:00,30,Nowhere/City,in_person,\n")
    result = app.test_cli_runner().invoke(args=["availability", "import", str(bad)])
    assert result.exit_code == 1 and "availability.csv, line 2, column timezone" in result.output


@pytest.mark.parametrize("text, expected", [
    ("09:00", time(9)), ("9:00", time(9)), (" 07:30 ", time(7, 30)), ("23:59", time(23, 59)), ("00:00", time(0)),
    ("24:00", None), ("12:60", None), ("12:00:00", None), ("ab:cd", None), ("", None), ("１２:００", None),
    ("+1:00", None), ("12:5", time(12, 5)),
])
def test_opening_times_are_read_as_24_hour_hh_mm(text, expected):
    from clinic.scheduling.roster import _time

    if expected is None:
        with pytest.raises(ValueError):
            _time(text)
    else:
        assert _time(text) == expected
