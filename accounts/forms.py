from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from accounts.validators import validate_thai_phone
from core.forms import Form


class RegistrationForm(Form):
    first_name = forms.CharField(
        label=_("First name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    email = forms.EmailField(
        label=_("Email"),
        help_text=_("Your work email. We send the link to set your password here."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=24,
        validators=[validate_thai_phone],
        help_text=_(
            "A mobile such as 081 234 5678 or an office number such as 02 123 4567 ext. 12."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel", "inputmode": "tel"}),
    )


class SignInForm(Form):
    identifier = forms.CharField(
        label=_("Agency identity or email"),
        max_length=254,
        help_text=_("For example ega@info.go.th, or your own email."),
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class SetPasswordForm(Form):
    password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        help_text=_("At least 10 characters; not only digits, and not a common password."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        one, two = data.get("password1"), data.get("password2")
        if one and two and one != two:
            self.add_error("password2", _("The two passwords are not the same."))
        elif one:
            try:
                password_validation.validate_password(one, self.user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class PasswordResetForm(Form):
    email = forms.EmailField(
        label=_("Email"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )


class TwoFactorCodeForm(Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_("The 6 digits your authenticator app shows, or one of your recovery codes."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autocapitalize": "none"}
        ),
    )


class TwoFactorSetupForm(Form):
    code = forms.CharField(
        label=_("Code from the app"),
        max_length=16,
        help_text=_("After adding the account, type the 6 digits the app shows."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
