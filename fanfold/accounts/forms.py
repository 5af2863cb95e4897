"""Forms for accounts: they read what a person typed; the services decide whether it is acceptable."""

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

from fanfold.accounts.models import TIME_ZONE_CHOICES, Preference
from fanfold.accounts.selectors import user_by_username, user_for_login
from fanfold.accounts.services import (
    BIO_MAX,
    MAX_PROFILE_LINKS,
    PSEUD_DESCRIPTION_MAX,
    PSEUD_NAME_MAX,
    USERNAME_MAX,
    LinkFields,
    email_errors,
    link_errors,
    password_errors,
    username_errors,
)
from fanfold.core.forms import SingleLineCharField
from fanfold.core.html import FORMAT_HTML, TEXT_FORMAT_CHOICES
from fanfold.tags.selectors import tag_by_name
from fanfold.tags.services import MAX_TAG_LENGTH


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on `form`, on the field it is about when the form has that field."""
    if not hasattr(error, "error_dict"):
        for message in error.messages:
            form.add_error(None, message)
        return
    for field, errors in error.error_dict.items():
        target = field if field in form.fields else None
        for message in (m for e in errors for m in e.messages):
            form.add_error(target, message)


class PlainLabels:
    """Labels as written, "Password" rather than Django's "Password:"."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class SignupForm(PlainLabels, forms.Form):
    username = forms.CharField(
        label="Username",
        help_text="3 to 40 letters, numbers or underscores. This is how other people will see you.",
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True, "maxlength": USERNAME_MAX}),
    )
    email = forms.EmailField(
        label="Email",
        help_text="Only used to reset your password and send you notices; never shown to others.",
        error_messages={"invalid": "Please enter a valid email address, like name@example.org."},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        help_text=password_validation.password_validators_help_text_html(),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_confirmation = forms.CharField(
        label="Confirm password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    # The same checks `user_signup` makes, run here too so every problem shows at once.
    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        errors = username_errors(username, email=self.data.get("email", ""))
        if errors:
            raise ValidationError(errors)
        return username

    def clean_email(self) -> str:
        # Whether the address has an account is not said here: `user_signup` emails its owner instead.
        email = self.cleaned_data["email"]
        errors = email_errors(email.lower())
        if errors:
            raise ValidationError(errors)
        return email

    def clean(self):
        cleaned = super().clean()
        password, confirmation = cleaned.get("password"), cleaned.get("password_confirmation")
        if password:
            username = cleaned.get("username") or self.data.get("username", "")
            email = cleaned.get("email") or self.data.get("email", "")
            for message in password_errors(password, username=username, email=email):
                self.add_error("password", message)
        if password and confirmation and password != confirmation:
            self.add_error("password_confirmation", "The two passwords do not match. Please type them again.")
        return cleaned


class LoginForm(PlainLabels, auth_forms.AuthenticationForm):
    """Log in with a username in any case, or with the account's email address."""

    username = forms.CharField(
        label="Username or email",
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    error_messages = {
        **auth_forms.AuthenticationForm.error_messages,
        "invalid_login": "That username or email and password do not match an account. Passwords are case-sensitive.",
    }

    def clean(self):
        user = user_for_login(self.cleaned_data.get("username") or "")
        if user is not None:
            self.cleaned_data["username"] = user.get_username()
        return super().clean()


class ProfileForm(PlainLabels, forms.Form):
    bio = forms.CharField(
        label="About me",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=f"Up to {BIO_MAX:,} characters. Scripts, styles and embedded frames are removed.",
    )
    text_format = forms.ChoiceField(label="Text format", choices=TEXT_FORMAT_CHOICES, initial=FORMAT_HTML)
    show_links_on_works = forms.BooleanField(label="Show my profile links under my works' end notes", required=False)


class LinkForm(PlainLabels, forms.Form):
    label = SingleLineCharField(label="Label", required=False, widget=forms.TextInput(attrs={"placeholder": "tumblr"}))
    url = SingleLineCharField(label="Address", required=False, widget=forms.URLInput(attrs={"placeholder": "https://"}))

    def clean(self):
        cleaned = super().clean()
        if not self.is_blank():
            for message in link_errors(label=cleaned.get("label", ""), url=cleaned.get("url", "")):
                self.add_error(None, message)
        return cleaned

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not (data.get("label", "").strip() or data.get("url", "").strip())


class BaseLinkFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["ORDER"].label = "Position"
        form.fields["ORDER"].widget.attrs["min"] = 1
        form.fields["DELETE"].label = "Remove"

    def links(self) -> list[LinkFields]:
        """The rows kept, in the order the person gave them; call after `is_valid()`."""
        return [
            LinkFields(label=form.cleaned_data["label"], url=form.cleaned_data["url"])
            for form in self.ordered_forms
            if not form.is_blank()
        ]


LinkFormSet = forms.formset_factory(
    LinkForm, formset=BaseLinkFormSet, extra=3, max_num=MAX_PROFILE_LINKS, can_order=True, can_delete=True
)


class PseudForm(PlainLabels, forms.Form):
    name = SingleLineCharField(
        label="Name",
        help_text=f"Up to {PSEUD_NAME_MAX} letters, numbers, spaces, underscores or hyphens.",
        widget=forms.TextInput(attrs={"maxlength": PSEUD_NAME_MAX}),
    )
    description = forms.CharField(
        label="Description",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=f"Up to {PSEUD_DESCRIPTION_MAX} characters.",
    )
    text_format = forms.ChoiceField(label="Text format", choices=TEXT_FORMAT_CHOICES, initial=FORMAT_HTML)
    make_default = forms.BooleanField(label="Make this my default pseud", required=False)

    def __init__(self, *args, name_locked: bool = False, is_default: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if name_locked:
            self.fields["name"].disabled = True
            self.fields["name"].help_text = "This pseud is named after your username, so its name stays."
        if is_default:
            # The default can only be moved by making another pseud the default.
            del self.fields["make_default"]


class PreferenceForm(PlainLabels, forms.ModelForm):
    time_zone = forms.ChoiceField(
        label="Time zone", choices=TIME_ZONE_CHOICES, help_text="Dates and times are shown in this zone."
    )

    class Meta:
        model = Preference
        fields = ["view_adult", "hide_warnings", "hide_freeform", "view_full_works", "history_enabled", "time_zone"]
        fields += ["allow_cocreator_invitations", "allow_gifts"]
        labels = {
            "view_adult": "Show adult works without the warning page",
            "hide_warnings": "Hide archive warnings (show them on click)",
            "hide_freeform": "Hide additional tags (show them on click)",
            "view_full_works": "Show the entire work by default",
            "allow_cocreator_invitations": "Allow others to invite me to be a co-creator",
            "allow_gifts": "Allow others to give me works as gifts (never users I blocked)",
            "history_enabled": "Keep a history of the works I read",
        }


class MuteForm(PlainLabels, forms.Form):
    """Mute a user by typing their username; `cleaned_data["muted"]` is the user."""

    username = SingleLineCharField(
        label="Username",
        max_length=150,
        error_messages={"required": "Please type the username of the person to mute."},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        muted = user_by_username(username)
        if muted is None:
            raise ValidationError(f"There is no user called “{username}”. Check the spelling of their username.")
        self.cleaned_data["muted"] = muted
        return username


class BlockForm(PlainLabels, forms.Form):
    """Block a user by typing their username; `cleaned_data["blocked"]` is the user."""

    username = SingleLineCharField(
        label="Username",
        max_length=150,
        error_messages={"required": "Please type the username of the person to block."},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        blocked = user_by_username(username)
        if blocked is None:
            raise ValidationError(f"There is no user called “{username}”. Check the spelling of their username.")
        self.cleaned_data["blocked"] = blocked
        return username


class TagExclusionForm(PlainLabels, forms.Form):
    """Exclude a tag by typing its name; `cleaned_data["excluded_tag"]` is the tag."""

    tag = SingleLineCharField(
        label="Tag",
        max_length=MAX_TAG_LENGTH,
        error_messages={"required": "Please type the name of the tag to exclude."},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, viewer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.viewer = viewer

    def clean_tag(self) -> str:
        name = self.cleaned_data["tag"].strip()
        tag = tag_by_name(name, viewer=self.viewer)
        if tag is None:
            raise ValidationError(
                f"There is no tag called “{name}”. Tags are matched by their full name, like “Hurt/Comfort”."
            )
        self.cleaned_data["excluded_tag"] = tag
        return name


class PasswordChangeForm(PlainLabels, auth_forms.PasswordChangeForm):
    pass


class PasswordResetForm(PlainLabels, auth_forms.PasswordResetForm):
    pass


class SetPasswordForm(PlainLabels, auth_forms.SetPasswordForm):
    pass
