"""Stage 6: the comparison of the two opinions, the patient's decision, the report, the dashboard."""
