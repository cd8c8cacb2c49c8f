"""The clinic's words for records: kinds, sources, statuses and how a request is sent.

Sources are the reference guide's three ways of getting records (patient portals,
direct requests to clinics and hospitals, mobile apps) plus the patient's own
upload and the referring doctor sending them.
"""
from __future__ import annotations

from enum import StrEnum

from clinic.i18n import N_

RECORD_KINDS = {
    "visit_summary": N_("Visit summary"),
    "lab_result": N_("Lab results"),
    "medication_list": N_("Medication list"),
    "imaging": N_("Imaging (the images)"),
    "imaging_report": N_("Imaging report"),
    "pathology": N_("Pathology report"),
    "operative_note": N_("Operative note"),
    "other": N_("Other record"),
}

RECORD_SOURCES = {
    "patient_portal": "Patient portal",
    "direct_request": "Direct request to a clinic or hospital",
    "mobile_app": "Mobile health app",
    "patient_upload": "Uploaded by the patient",
    "referring_doctor": "Sent by the referring doctor",
}

class RecordStatus(StrEnum):
    MISSING = "missing"
    REQUESTED = "requested"
    RECEIVED = "received"        # a file is here, to be verified
    VERIFIED = "verified"
    REJECTED = "rejected"        # a new copy is awaited
    NOT_APPLICABLE = "not_applicable"


RECORD_STATUSES = {
    RecordStatus.MISSING: "Missing",
    RecordStatus.REQUESTED: "Requested",
    RecordStatus.RECEIVED: "Received",
    RecordStatus.VERIFIED: "Verified",
    RecordStatus.REJECTED: "Rejected",
    RecordStatus.NOT_APPLICABLE: "Not applicable",
}

# Who a request goes to: the patient (who may not want the first doctor to know) or a facility.
REQUEST_TARGETS = {"patient": "The patient", "facility": "A clinic, hospital or lab"}

REQUEST_METHODS = {
    "upload_link": "Email with a private upload link (patient only)",
    "email": "Email",
    "fax": "Fax",
    "phone": "Phone",
    "portal": "Portal message",
    "mail": "Post",
}

UPLOAD_CHANNELS = ("coordinator", "patient_link", "api")

# Statuses in which the clinic is still waiting for the item to arrive.
OUTSTANDING = (RecordStatus.REQUESTED, RecordStatus.REJECTED)
# Statuses that leave the records gate open for a required item.
SETTLED = (RecordStatus.VERIFIED, RecordStatus.NOT_APPLICABLE)
# Statuses of a record the clinic does not hold yet (the upload form opens for them).
AWAITED = (RecordStatus.MISSING, RecordStatus.REQUESTED, RecordStatus.REJECTED)
# Statuses from which a record can be asked for (again).
REQUESTABLE = (RecordStatus.MISSING, RecordStatus.REQUESTED, RecordStatus.REJECTED, RecordStatus.NOT_APPLICABLE)

DEFAULT_DUE_DAYS = 7

# Sources by which the patient themself sends the record: a rejection asks the patient again.
PATIENT_SOURCES = ("patient_upload", "patient_portal", "mobile_app")

# What a rejection tells the patient: (the coordinator's choice, the sentence the patient reads).
# A fixed list on purpose: the coordinator's own reason stays inside the clinic, as it may name the condition.
REJECTION_PROBLEMS = {
    "illegible": ("Hard to read",
                  N_("We could not read it clearly. Please send a sharper copy: a PDF from your patient portal is best, "
                  "or a photo taken flat, in good light.")),
    "incomplete": ("Incomplete: pages or images missing",
                   N_("Part of it is missing. Please send the whole record, with every page.")),
    "wrong_record": ("Not the record asked for",
                     N_("It is not the record we asked for. Please check the name below and send that record.")),
    "wrong_patient": ("Another person's record",
                      N_("It seems to belong to someone else. Please check the name on it and send your own record.")),
    "other": ("Another problem",
              N_("We could not use it. Please send a new copy. If you are not sure what to send, reply to this email "
              "or call us.")),
}
