"""The clinic's words for records: kinds, sources, statuses and how a request is sent.

Sources are the reference guide's three ways of getting records (patient portals,
direct requests to clinics and hospitals, mobile apps) plus the patient's own
upload and the referring doctor sending them.
"""
from __future__ import annotations

RECORD_KINDS = {
    "visit_summary": "Visit summary",
    "lab_result": "Lab results",
    "medication_list": "Medication list",
    "imaging": "Imaging (the images)",
    "imaging_report": "Imaging report",
    "pathology": "Pathology report",
    "operative_note": "Operative note",
    "other": "Other record",
}

RECORD_SOURCES = {
    "patient_portal": "Patient portal",
    "direct_request": "Direct request to a clinic or hospital",
    "mobile_app": "Mobile health app",
    "patient_upload": "Uploaded by the patient",
    "referring_doctor": "Sent by the referring doctor",
}

RECORD_STATUSES = {
    "missing": "Missing",
    "requested": "Requested",
    "received": "Received",
    "verified": "Verified",
    "rejected": "Rejected",
    "not_applicable": "Not applicable",
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
OUTSTANDING = ("requested", "rejected")
# Statuses that leave the records gate open for a required item.
SETTLED = ("verified", "not_applicable")

DEFAULT_DUE_DAYS = 7
