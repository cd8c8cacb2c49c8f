"""The patient's choices after comparing the two opinions."""
from __future__ import annotations

CHOICES = {
    "follow_first": "Follow the first opinion",
    "follow_second": "Follow the second opinion",
    "seek_third": "Seek a third opinion",
    "undecided": "Undecided",
}

# Not a decision yet: the case stays open and the patient is asked again on a given day.
UNDECIDED = "undecided"
