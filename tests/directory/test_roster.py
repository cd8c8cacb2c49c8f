"""Roster import: all or nothing, every problem named by file, line and column, idempotent, inert."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from clinic.directory import roster_files  # noqa: F401
from clinic.directory.models import (Affiliation, Clinician, NetworkMembership, Organization, Plan, Relationship,
                                     SpecialistSubspecialty, Subspecialty)
from clinic.directory.npi import with_check_digit
from clinic.directory.roster import RosterError, import_roster

TABLES = (Clinician, Organization, Affiliation, Relationship, Subspecialty, SpecialistSubspecialty, Plan,
          NetworkMembership)
ADA, BEN, CARL = (with_check_digit(f"4000000{n:02d}") for n in (1, 2, 3))


def roster(**changes: str) -> dict[str, bytes]:
    files = {
        "clinicians.csv": "npi,name,kind,specialty,languages,academic,email,timezone\n"
                          f"{ADA},Dr. Ada Stone,specialist,Breast oncology,en;es,yes,ada@panel.test,America/New_York\n"
                          f"{BEN},Dr. Ben Ortiz,specialist,Urology,en,no,,America/Chicago\n"
                          f"{CARL},Dr. Carl Hale,external,Oncology,en,no,,America/New_York\n",
        "organizations.csv": "name,kind\nMercy General Hospital,hospital\n\"Lakeside, University\",academic_center\n",
        "affiliations.csv": f"npi,organization,start,end\n{ADA},Mercy General Hospital,2015-01-01,2020-06-30\n"
                            f"{CARL},mercy general hospital,2010-01-01,\n",
        "relationships.csv": f"npi_a,npi_b,kind,start,end\n{BEN},{CARL},financial,,\n",
        "subspecialties.csv": "code,name,icd10_prefixes\nbreast,Breast oncology,C50;c50.9\n",
        "specialist_subspecialties.csv": f"npi,subspecialty_code,annual_volume\n{ADA},breast,120\n",
        "plans.csv": "payer,plan\nAcme Health,Gold PPO\n",
        "networks.csv": f"npi,payer,plan,start,end\n{ADA},Acme Health,Gold PPO,2018-01-01,\n"
                        f"{BEN},acme health,GOLD PPO,2018-01-01,2024-12-31\n",
    }
    files.update(changes)
    return {name: text.encode() for name, text in files.items()}


def snapshot(session) -> dict:
    return {model.__tablename__: sorted(tuple(str(v) for v in row) for row in
                                        session.execute(sa.select(model.__table__)).all()) for model in TABLES}


def refused(session, files) -> list[str]:
    with pytest.raises(RosterError) as error:
        import_roster(None, files)
    return [str(p) for p in error.value.problems]


def test_a_valid_roster_fills_the_directory(session):
    report = import_roster(None, roster())
    assert report.counts["clinicians.csv"].new == 3 and report.rows == 13
    ada = session.scalar(sa.select(Clinician).where(Clinician.npi == ADA))
    assert (ada.languages, ada.academic, ada.email) == ("en;es", True, "ada@panel.test")
    assert session.scalar(sa.select(Subspecialty.icd10_prefixes)) == "C50;C509"
    assert session.scalar(sa.select(sa.func.count()).select_from(NetworkMembership)) == 2
    assert session.scalar(sa.select(Organization.name).where(Organization.normalized_name == "lakeside university")) \
        == "Lakeside, University"


def test_reimporting_the_same_files_changes_nothing(session):
    import_roster(None, roster())
    session.flush()
    before = snapshot(session)
    report = import_roster(None, roster())
    assert all(c.new == 0 and c.changed == 0 for c in report.counts.values())
    assert snapshot(session) == before


def test_reimport_updates_by_natural_key(session):
    import_roster(None, roster())
    report = import_roster(None, roster(**{"affiliations.csv": f"npi,organization,start,end\n"
                                                               f"{ADA},Mercy General Hospital,2015-01-01,2021-06-30\n"}))
    assert (report.counts["affiliations.csv"].new, report.counts["affiliations.csv"].changed) == (0, 1)
    ends = session.scalars(sa.select(Affiliation.end).join(Clinician).where(Clinician.npi == ADA)).all()
    assert [str(end) for end in ends] == ["2021-06-30"]


def test_relationship_rows_are_symmetric(session):
    import_roster(None, roster())
    report = import_roster(None, roster(**{"relationships.csv": f"npi_a,npi_b,kind,start,end\n{CARL},{BEN},financial,,\n"}))
    assert report.counts["relationships.csv"].unchanged == 1
    assert session.scalar(sa.select(sa.func.count()).select_from(Relationship)) == 1


BROKEN = {"clinicians.csv": "".join(line + (",shoe_size" if n == 0 else ",9") + "\n" for n, line in
                                   enumerate(roster()["clinicians.csv"].decode().splitlines()))}


def test_unknown_column_rejects_the_file_naming_it(session):
    problems = refused(session, roster(**BROKEN))
    assert problems == ["clinicians.csv, line 1, column shoe_size: unknown column; the columns are: "
                        "npi,name,kind,specialty,languages,academic,email,timezone"]


def test_a_broken_roster_lists_every_problem_and_changes_nothing(session):
    import_roster(None, roster())
    session.flush()
    before = snapshot(session)
    bad = roster(**{
        "clinicians.csv": "npi,name,kind,specialty,languages,academic,email,timezone\n"
                          "1234567890,Dr. Bad Digit,specialist,,en,no,,America/New_York\n"
                          f"{ADA},Dr. Ada Stone,specialist,,en,no,,Mars/Olympus\n"
                          f"{ADA},Dr. Ada Again,specialist,,en,no,,America/New_York\n"
                          f"{BEN},,specialist,,en,no,,America/New_York\n",
        "affiliations.csv": "npi,organization,start,end\n"
                            f"{ADA},Nowhere Clinic,2015-01-01,\n"
                            f"{ADA},Mercy General Hospital,2020-01-01,2019-01-01\n"
                            f"{ADA},Mercy General Hospital,2015-13-45,\n",
        "specialist_subspecialties.csv": f"npi,subspecialty_code,annual_volume\n{ADA},cardiology,10\n",
    })
    problems = refused(session, bad)
    assert problems == [
        "clinicians.csv, line 2, column npi: Enter the 10-digit NPI; its last digit must be the check digit "
        "(Luhn over 80840).",
        "clinicians.csv, line 3, column timezone: “Mars/Olympus” is not a time zone; use an IANA name such as "
        "America/New_York.",
        "clinicians.csv, line 4, column npi: duplicate of line 3",
        "clinicians.csv, line 5, column name: A value is required.",
        "affiliations.csv, line 2, column organization: unknown organization “Nowhere Clinic”: not in "
        "organizations.csv or the directory",
        "affiliations.csv, line 3, column end: The end (2019-01-01) is before the start (2020-01-01).",
        "affiliations.csv, line 4, column start: “2015-13-45” is not a date; use YYYY-MM-DD.",
        "specialist_subspecialties.csv, line 2, column subspecialty_code: unknown subspecialty “cardiology”: not in "
        "subspecialties.csv or the directory",
    ]
    assert snapshot(session) == before


@pytest.mark.parametrize("files, expected", [
    ({"clinicians.csv": b"npi,name\x00,kind\n"}, "clinicians.csv, line 1: binary content: not a CSV text file"),
    ({"clinicians.csv": "npi,name,kind,specialty,languages,academic,email,timezone\n".encode() + b"\xff\xfe,x\n"},
     "clinicians.csv, line 2: not UTF-8 text; save the file as CSV UTF-8"),
    ({"clinicians.csv": b""}, "clinicians.csv, line 1: empty file; the header must be: "
                               "npi,name,kind,specialty,languages,academic,email,timezone"),
    ({"plans.csv": b"payer,plan\n=cmd|' /C calc'!A0,Gold\n"},
     "plans.csv, line 2, column payer: Starts with “=”: spreadsheet formulas are not accepted."),
    ({"plans.csv": b"payer,plan\n@SUM(A1),Gold\n"},
     "plans.csv, line 2, column payer: Starts with “@”: spreadsheet formulas are not accepted."),
    ({"plans.csv": b"payer,plan\nAcme," + b"x" * 5000 + b"\n"},
     "plans.csv, line 2, column plan: Use at most 120 characters (this has 5000)."),
    ({"plans.csv": b"payer,plan\nAcme,\"" + b"y" * 200_000 + b"\"\n"},
     "plans.csv, line 2: unreadable CSV (field larger than field limit (131072)); check quotes and field sizes"),
    ({"plans.csv": b"payer,plan\nAcme,Gold,extra\n"}, "plans.csv, line 2: has 3 values; the header has 2"),
    ({"plans.csv": b"payer\nAcme\n"}, "plans.csv, line 1, column plan: missing column"),
    ({"notes.csv": b"a,b\n"}, "notes.csv: not a roster file; expected one of affiliations.csv, availability.csv, clinicians.csv, "
                               "networks.csv, organizations.csv, plans.csv, relationships.csv, "
                               "specialist_subspecialties.csv, subspecialties.csv"),
    ({"networks.csv": f"npi,payer,plan,start,end\n{ADA},Acme,Gold,2018-01-01,\n".encode()},
     f"networks.csv, line 2, column npi: unknown clinician {ADA}: not in clinicians.csv or the directory"),
])
def test_hostile_or_malformed_files_are_refused_with_a_reason(session, files, expected):
    assert expected in refused(session, files)
    assert snapshot(session)["clinicians"] == []


def test_script_in_a_name_is_stored_inert_and_shown_escaped(session, client_as):
    import_roster(None, roster(**{"organizations.csv": "name,kind\n<script>alert(1)</script> Clinic,hospital\n"
                                                       "Mercy General Hospital,hospital\n"}))
    session.flush()
    page = client_as("coordinator").get("/directory/organizations").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; Clinic" in page


def test_availability_imports_with_the_roster_that_creates_its_specialist(session):
    report = import_roster(None, roster(**{"availability.csv": "npi,weekday,start,end,slot_minutes,timezone,"
                                                               "modality,location\n"
                                                               f"{ADA},Monday,09:00,12:00,60,America/New_York,"
                                                               "video,https://video.example/ada\n"}))
    assert report.counts["availability.csv"].new == 1


def test_networks_need_a_specialist(session):
    problems = refused(session, roster(**{"networks.csv": f"npi,payer,plan,start,end\n"
                                                          f"{CARL},Acme Health,Gold PPO,2018-01-01,\n"}))
    assert problems == [f"networks.csv, line 2, column npi: clinician {CARL} is not a specialist on the panel"]


def test_cli_imports_a_folder_and_refuses_a_broken_one(app, tmp_path, session):
    good, bad = tmp_path / "good", tmp_path / "bad"
    for folder, files in ((good, roster()), (bad, roster(**BROKEN))):
        folder.mkdir()
        for name, data in files.items():
            (folder / name).write_bytes(data)
    runner = app.test_cli_runner()
    refused_run = runner.invoke(args=["directory", "import", str(bad)])
    assert refused_run.exit_code == 1 and "column shoe_size: unknown column" in refused_run.output
    run = runner.invoke(args=["directory", "import", str(good)])
    assert run.exit_code == 0, run.output
    assert "clinicians.csv: 3 new, 0 changed, 0 unchanged" in run.output and "rows/s" in run.output
