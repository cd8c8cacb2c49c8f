"""Sign-in and account administration forms (input shape only)."""
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from clinic.auth.models import ROLE_LABELS
from clinic.auth.passwords import MAX_LENGTH
from clinic.formkit import FlaskForm, email_address, options


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=MAX_LENGTH)])
    submit = SubmitField("Sign in")


class UserForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254), email_address])
    name = StringField("Full name", validators=[DataRequired(), Length(max=200)])
    role = SelectField("Role", choices=options(ROLE_LABELS), validators=[DataRequired()])
    npi = StringField("NPI (specialists)", validators=[Optional(), Regexp(r"^\d{10}$", message="An NPI has 10 digits.")],
                      description="Links a specialist's account to their directory record.")
    password = PasswordField("Password", validators=[Optional(), Length(max=MAX_LENGTH)],
                             description="Leave empty to generate one; it is shown once.")
    submit = SubmitField("Create user")


class PasswordResetForm(FlaskForm):
    password = PasswordField("New password", validators=[Optional(), Length(max=MAX_LENGTH)],
                             description="Leave empty to generate one; it is shown once.")
    submit = SubmitField("Reset password")


class ActiveForm(FlaskForm):
    active = BooleanField("Active")
    submit = SubmitField("Save")


class TokenForm(FlaskForm):
    name = StringField("Token name", validators=[DataRequired(), Length(max=100)],
                       description="What the token is for, e.g. 'Referral gateway'.")
    submit = SubmitField("Issue token")


class ConfirmForm(FlaskForm):
    """An empty form: a CSRF-protected button (sign out, revoke)."""
    submit = SubmitField("Confirm")
