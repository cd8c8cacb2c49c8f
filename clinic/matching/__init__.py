"""Stage 3: independent-subspecialist matching and the assignment of a specialist to a case."""
