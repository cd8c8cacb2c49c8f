"""Coverage: the insurance verification of a case (or its self-pay agreement)."""
