"""The clinic's words for coverage: verification results and how a check was made."""
from __future__ import annotations

RESULTS = {
    "verified_in_network": "Verified, in network",
    "verified_out_of_network": "Verified, out of network",
    "not_covered": "Not covered",
    "self_pay": "Self-pay",
}
INSURED_RESULTS = ("verified_in_network", "verified_out_of_network", "not_covered")

CHECK_METHODS = {"portal": "Payer portal", "phone": "Phone call", "electronic": "Electronic eligibility (270/271)"}
