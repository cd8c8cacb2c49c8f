"""Demo roster: the panel, subspecialties, plans and networks, loaded through the roster importer.

Built so that the demo cases show every kind of exclusion: an inactive specialist,
a shared hospital with the referring doctor, a declared financial tie, a plan
membership that ended, a specialist in the other plan's network only.
"""
from __future__ import annotations

import csv
import io

from clinic.demo.directory import REFERRING, SPECIALISTS, _npi
from clinic.directory.models import Clinician
from clinic.directory.roster import import_roster
from clinic.directory.services import set_active
from clinic.extensions import db

ORGANIZATIONS = (
    ("St. Anne's Medical Center", "hospital"), ("Harborview Cancer Institute", "academic_center"),
    ("Westbrook Heart & Vascular", "practice"), ("Pinecrest Neurology Group", "group"),
    ("Summit Digestive Health", "practice"),
)
SUBSPECIALTIES = (
    ("breast_oncology", "Breast oncology", "C50;D05"),
    ("breast_surgery", "Breast surgical oncology", "C50;C509"),
    ("urologic_oncology", "Urologic oncology", "C61;C67;C64"),
    ("spine", "Spine surgery", "M51;M48;M54"),
    ("interventional_cardiology", "Interventional cardiology", "I25;I21;I20"),
    ("electrophysiology", "Cardiac electrophysiology", "I48;I47"),
    ("endocrine_surgery", "Endocrine surgery", "C73;E04;E05"),
    ("rheumatology", "Rheumatology", "M05;M06;M32"),
    ("interstitial_lung", "Interstitial lung disease", "D86;J84"),
    ("thoracic_oncology", "Thoracic surgical oncology", "C34;R91"),
    ("neuroimmunology", "Neuroimmunology", "G35;G36;G37"),
    ("headache", "Headache medicine", "G43;G44"),
    ("ibd", "Inflammatory bowel disease", "K50;K51"),
    ("lymphoma", "Lymphoma", "C81;C82;C83;C84;C85"),
    ("hepatobiliary", "Pancreatic and hepatobiliary surgery", "C25;C22;C24"),
    ("joint_replacement", "Joint replacement", "M16;M17"),
    ("gynecology", "Minimally invasive gynecology", "D25;N80"),
)
PLANS = {"A": ("Acme Health", "Gold PPO"), "B": ("BlueRiver", "Select HMO"), "N": ("Northstar", "Choice EPO")}
LAKESIDE, MERCY, RIVERSIDE = "Lakeside University Medical Center", "Mercy General Hospital", "Riverside Oncology Associates"
# name, specialty, languages, academic, zone, [(organization, start, end)], [(subspecialty, volume)],
# plans (letters of PLANS; a "B-" plan membership ended on 2025-12-31)
PANEL = (
    ("Dr. Thomas Reilly", "Breast surgery", "en", True, "America/New_York",
     [(LAKESIDE, "2011-09-01", "")], [("breast_surgery", 160)], "AB"),
    ("Dr. Nadia Petrova", "Medical oncology", "en;ru", False, "America/New_York",
     [(RIVERSIDE, "2016-09-01", "2023-06-30"), ("St. Anne's Medical Center", "2023-07-01", "")],
     [("breast_oncology", 120)], "AB"),
    ("Dr. Ruth Adler", "Medical oncology", "en;de", True, "America/New_York",
     [(RIVERSIDE, "2009-01-01", "2018-12-31"), ("Harborview Cancer Institute", "2019-01-01", "")],
     [("breast_oncology", 95)], "AB"),
    ("Dr. Kenji Watanabe", "Medical oncology", "en;ja", True, "America/Los_Angeles",
     [("Harborview Cancer Institute", "2014-03-01", "")], [("breast_oncology", 140)], "AB"),
    ("Dr. Sarah Lindqvist", "Breast surgery", "en;sv", False, "America/Chicago",
     [("St. Anne's Medical Center", "2012-05-01", "")], [("breast_surgery", 70)], "AB"),
    ("Dr. Oliver Grant", "Medical oncology", "en", False, "America/New_York",
     [("St. Anne's Medical Center", "2008-01-01", "")], [("breast_oncology", 60)], "AB"),
    ("Dr. Amara Nwosu", "Medical oncology", "en;fr", True, "America/New_York",
     [("Harborview Cancer Institute", "2017-01-01", "")], [("breast_oncology", 110)], "A"),
    ("Dr. Elena Costa", "Breast surgery", "en;es;pt", False, "America/New_York",
     [("St. Anne's Medical Center", "2015-01-01", "")], [("breast_surgery", 85)], "AB-"),
    ("Dr. Wei Zhang", "Urology", "en;zh", True, "America/New_York",
     [("Harborview Cancer Institute", "2013-01-01", "")], [("urologic_oncology", 130)], "AB"),
    ("Dr. Laila Haddad", "Urology", "en;ar", False, "America/Chicago",
     [(RIVERSIDE, "2018-01-01", "")], [("urologic_oncology", 90)], "AB"),
    ("Dr. Marcus Bell", "Orthopedic spine surgery", "en", False, "America/New_York",
     [("Northgate Orthopedic Group", "2010-01-01", "")], [("spine", 210)], "AB"),
    ("Dr. Hannah Kim", "Neurosurgery", "en;ko", True, "America/New_York",
     [(LAKESIDE, "2016-01-01", "")], [("spine", 150)], "AB"),
    ("Dr. Diego Morales", "Orthopedic spine surgery", "en;es", False, "America/Chicago",
     [("St. Anne's Medical Center", "2014-01-01", "")], [("spine", 120), ("joint_replacement", 80)], "B"),
    ("Dr. Rajesh Iyer", "Interventional cardiology", "en;hi", True, "America/New_York",
     [(LAKESIDE, "2012-01-01", "")], [("interventional_cardiology", 300)], "AB"),
    ("Dr. Claire Dubois", "Interventional cardiology", "en;fr", False, "America/New_York",
     [(MERCY, "2017-01-01", "2024-02-29"), ("Westbrook Heart & Vascular", "2024-03-01", "")],
     [("interventional_cardiology", 260)], "AB"),
    ("Dr. Samuel Ortiz", "Cardiac surgery", "en;es", False, "America/New_York",
     [("Westbrook Heart & Vascular", "2019-01-01", "")], [("interventional_cardiology", 180)], "AB"),
    ("Dr. Ingrid Olsen", "Cardiac electrophysiology", "en;no", True, "America/New_York",
     [(LAKESIDE, "2015-01-01", "")], [("electrophysiology", 240)], "AB"),
    ("Dr. Felix Wagner", "Cardiac electrophysiology", "en;de", False, "America/Chicago",
     [("Westbrook Heart & Vascular", "2016-01-01", "")], [("electrophysiology", 150)], "B"),
    ("Dr. Grace Mbeki", "Endocrine surgery", "en", True, "America/New_York",
     [("Harborview Cancer Institute", "2012-01-01", "")], [("endocrine_surgery", 170)], "AB"),
    ("Dr. Paul Novak", "Endocrine surgery", "en;cs", False, "America/New_York",
     [(RIVERSIDE, "2011-01-01", "")], [("endocrine_surgery", 90)], "AB"),
    ("Dr. Yasmin Rahman", "Rheumatology", "en;bn", True, "America/New_York",
     [(LAKESIDE, "2013-01-01", "")], [("rheumatology", 200)], "AB"),
    ("Dr. Victor Chen", "Rheumatology", "en;zh", False, "America/New_York",
     [(MERCY, "2010-01-01", "")], [("rheumatology", 160)], "AB"),
    ("Dr. Lucia Romano", "Pulmonology", "en;it", True, "America/New_York",
     [(LAKESIDE, "2014-01-01", "")], [("interstitial_lung", 110), ("thoracic_oncology", 40)], "AB"),
    ("Dr. Ahmed Karim", "Thoracic surgery", "en;ar", False, "America/New_York",
     [("St. Anne's Medical Center", "2012-01-01", "")], [("thoracic_oncology", 150)], "AB"),
    ("Dr. Sophie Laurent", "Neurology", "en;fr", True, "America/New_York",
     [("Pinecrest Neurology Group", "2011-01-01", "")], [("neuroimmunology", 190), ("headache", 60)], "AB"),
    ("Dr. Daniel Weiss", "Neurology", "en;he", False, "America/New_York",
     [(MERCY, "2015-01-01", "")], [("neuroimmunology", 120)], "AB"),
    ("Dr. Mei Tanaka", "Neurology", "en;ja", False, "America/Los_Angeles",
     [("Pinecrest Neurology Group", "2018-01-01", "")], [("headache", 170)], "AB"),
    ("Dr. Robert Hughes", "Gastroenterology", "en", True, "America/New_York",
     [("Summit Digestive Health", "2012-01-01", "")], [("ibd", 230)], "AB"),
    ("Dr. Fatou Diallo", "Gastroenterology", "en;fr;wo", False, "America/New_York",
     [(MERCY, "2019-01-01", "")], [("ibd", 140)], "AB"),
    ("Dr. Isabel Navarro", "Hematology", "en;es", True, "America/New_York",
     [("Harborview Cancer Institute", "2010-01-01", "")], [("lymphoma", 180)], "AB"),
    ("Dr. Jonas Berg", "Hematology", "en;sv", False, "America/Chicago",
     [(RIVERSIDE, "2014-01-01", "")], [("lymphoma", 130)], "AB"),
    ("Dr. Anika Sharma", "Surgical oncology", "en;hi", True, "America/New_York",
     [(LAKESIDE, "2013-01-01", "")], [("hepatobiliary", 160)], "AB"),
    ("Dr. Liam O'Connor", "Surgical oncology", "en;ga", False, "America/New_York",
     [("St. Anne's Medical Center", "2016-01-01", "")], [("hepatobiliary", 110)], "A"),
    ("Dr. Rosa Jimenez", "Gynecology", "en;es", False, "America/New_York",
     [("St. Anne's Medical Center", "2013-01-01", "")], [("gynecology", 190)], "AB"),
    ("Dr. Nora Fitzgerald", "Orthopedic surgery", "en", True, "America/New_York",
     [(LAKESIDE, "2012-01-01", "")], [("joint_replacement", 260)], "AB"),
)
FOUNDING = {  # the foundation's two specialists: their subspecialties and plans
    "Dr. Priya Raman": ([("breast_surgery", 140)], "AB"),
    "Dr. Miguel Alvarez": ([("urologic_oncology", 180)], "AB"),
}
FIRST_SERIAL = 200
INACTIVE = ("Dr. Oliver Grant",)


def _csv(header: tuple[str, ...], rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def roster_files_for_demo() -> dict[str, bytes]:
    panel = [(_npi(FIRST_SERIAL + i), *row) for i, row in enumerate(PANEL)]
    founding = {name: _npi(100 + i) for i, (name, *_rest) in enumerate(SPECIALISTS)}
    referring = {name: _npi(500 + i) for i, (name, *_rest) in enumerate(REFERRING)}
    expertise = [(npi, code, volume) for npi, *row in panel for code, volume in row[6]] + \
        [(founding[name], code, volume) for name, (subs, _) in FOUNDING.items() for code, volume in subs]
    plans = [(npi, row[7]) for npi, *row in panel] + [(founding[name], letters) for name, (_, letters) in FOUNDING.items()]
    networks = []
    for npi, letters in plans:
        for letter in letters.replace("-", ""):
            ended = letter == "B" and letters.endswith("-")
            networks.append((npi, *PLANS[letter], "2018-01-01", "2025-12-31" if ended else ""))
    return {
        "organizations.csv": _csv(("name", "kind"), ORGANIZATIONS),
        "clinicians.csv": _csv(("npi", "name", "kind", "specialty", "languages", "academic", "email", "timezone"),
                               [(npi, name, "specialist", specialty, languages, "yes" if academic else "no",
                                 name.split()[-1].lower().replace("'", "") + "@panel.demo.clinic", zone)
                                for npi, name, specialty, languages, academic, zone, *_ in panel]),
        "affiliations.csv": _csv(("npi", "organization", "start", "end"),
                                 [(npi, org, start, end) for npi, *row in panel for org, start, end in row[5]]),
        "relationships.csv": _csv(("npi_a", "npi_b", "kind", "start", "end"), [
            (panel[3][0], referring["Dr. Helen Carter"], "financial", "2022-01-01", ""),   # Watanabe
            (panel[13][0], referring["Dr. Laura Benson"], "co_author", "2020-05-01", "2023-04-30"),  # Iyer
            (panel[20][0], referring["Dr. Laura Benson"], "training", "2005-07-01", "2008-06-30"),  # Rahman, long ago
        ]),
        "subspecialties.csv": _csv(("code", "name", "icd10_prefixes"), SUBSPECIALTIES),
        "specialist_subspecialties.csv": _csv(("npi", "subspecialty_code", "annual_volume"), expertise),
        "plans.csv": _csv(("payer", "plan"), PLANS.values()),
        "networks.csv": _csv(("npi", "payer", "plan", "start", "end"), networks),
    }


def load(state: dict) -> None:
    import_roster(None, roster_files_for_demo())
    for name in INACTIVE:
        person = db.session.scalar(db.select(Clinician).where(Clinician.name == name))
        set_active(None, person, False, "clinician")
    state["panel"] = {c.name: c for c in db.session.scalars(db.select(Clinician).where(Clinician.kind == "specialist"))}
