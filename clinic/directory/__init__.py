"""The clinician directory: specialists and referring doctors, organizations, ties, networks."""
