"""Stage 5: the specialist's workspace, the record viewer, the opinion and its addenda."""
