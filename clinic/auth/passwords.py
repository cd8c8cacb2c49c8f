"""Password policy (NIST SP 800-63B: length, no common passwords, no forced rotation) and hashing."""
from __future__ import annotations

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

MIN_LENGTH, MAX_LENGTH = 12, 128


def password_problem(password: str, *user_inputs: str) -> str | None:
    """Why this password is refused, as a sentence, or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    # zxcvbn refuses (raises on) anything past its default 72 characters: a 500 for a long passphrase.
    verdict = zxcvbn(password, user_inputs=[u for u in user_inputs if u], max_length=MAX_LENGTH)
    # Score 4 (at least 10^10 guesses): score 3 let through the top of every breach list
    # dressed up to twelve characters ("Admin@123456", "Summer2024!!", "Clinic2024!!").
    if verdict["score"] < 4:
        warning = verdict["feedback"]["warning"] or "This password is too easy to guess."
        return f"{warning} Choose a longer, less common phrase."
    return None


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def check_password(password_hash: str, password: str) -> bool:
    return check_password_hash(password_hash, password)
