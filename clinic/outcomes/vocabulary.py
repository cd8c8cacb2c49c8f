"""The patient's choices after comparing the two opinions."""
from __future__ import annotations

from clinic.i18n import N_

CHOICES = {
    "follow_first": N_("Follow the first opinion"),
    "follow_second": N_("Follow the second opinion"),
    "seek_third": N_("Seek a third opinion"),
    "undecided": N_("Undecided"),
}

# Not a decision yet: the case stays open and the patient is asked again on a given day.
UNDECIDED = "undecided"
