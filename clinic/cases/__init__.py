"""Stage 1: the request (patient, case, questions), the workflow, intake and the work queue."""
