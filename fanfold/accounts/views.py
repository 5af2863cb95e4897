"""Pages for accounts: sign-up and log-in, passwords, profiles, pseuds, preferences, mutes and tag exclusions."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import FormView, TemplateView

from fanfold.accounts import blocks, selectors, services
from fanfold.accounts.backends import COUNTED
from fanfold.accounts.forms import (
    LinkFormSet,
    LoginForm,
    MuteForm,
    PasswordChangeForm,
    PasswordResetForm,
    PreferenceForm,
    ProfileForm,
    PseudForm,
    SetPasswordForm,
    SignupForm,
    TagExclusionForm,
    add_service_errors,
)
from fanfold.accounts.models import Pseud, User
from fanfold.accounts.services import MAX_MUTES, MAX_TAG_EXCLUSIONS
from fanfold.core.html import FORMAT_HTML
from fanfold.core.throttle import wait_in_words

WORKS_PER_PAGE = 20


def _safe_next(request) -> str:
    """The `next` a person came with, if it points into this site; "" otherwise."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    # Only paths: a bare word would otherwise be taken for a URL name by redirect().
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def _profile_user(username: str) -> User:
    user = selectors.user_by_username(username)
    if user is None:
        raise Http404("No such user.")
    return user


def _pseud_of(user: User, name: str) -> Pseud:
    pseud = selectors.pseud_by_name(user=user, name=name)
    if pseud is None:
        raise Http404("No such pseud.")
    return pseud


class OwnProfileMixin(LoginRequiredMixin):
    """Pages under /users/<username>/ that only that user may use; anyone else gets 403."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.profile_user = _profile_user(kwargs["username"])
        if self.profile_user.pk != request.user.pk:
            raise PermissionDenied("This is someone else's account.")
        return super().dispatch(request, *args, **kwargs)


# Signing up and in ---------------------------------------------------------------------------------


def _throttled(view, *, wait: int, message: str, form) -> HttpResponse:
    """The form again, with what was typed and why it must wait: 429 with Retry-After, as HTTP says."""
    response = view.render_to_response(
        view.get_context_data(form=form, throttled=f"{message}; try again in {wait_in_words(wait)}.")
    )
    response.status_code = 429
    response["Retry-After"] = str(wait)
    return response


class SignupView(FormView):
    template_name = "accounts/signup.html"
    form_class = SignupForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            messages.info(request, "You are already logged in.")
            return redirect(_safe_next(request) or settings.LOGIN_REDIRECT_URL)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(next=_safe_next(self.request), **kwargs)

    def post(self, request, *args, **kwargs):
        wait = services.signup_throttle(request=request)
        if wait:
            typed = {field: request.POST.get(field, "") for field in ("username", "email")}
            return _throttled(
                self, wait=wait, message="Too many sign-ups from your address", form=SignupForm(initial=typed)
            )
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            services.user_signup(
                username=data["username"],
                email=data["email"],
                password=data["password"],
                site_url=settings.SITE_URL or self.request.build_absolute_uri("/").rstrip("/"),
                next_url=_safe_next(self.request),
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        # The same page whether or not the address already had an account (whose owner is emailed instead).
        return redirect("accounts:signup_done")


class SignupDoneView(TemplateView):
    template_name = "accounts/signup_done.html"


class ActivateView(TemplateView):
    """The link in the sign-up email: a button that activates the account (a GET changes nothing, since
    mail scanners open links), then the new user is logged in."""

    template_name = "accounts/activate.html"

    def get_context_data(self, **kwargs):
        state = services.activation_link_state(uidb64=self.kwargs["uidb64"], token=self.kwargs["token"])
        return super().get_context_data(
            state=state, days=settings.ACCOUNT_ACTIVATION_DAYS, next=_safe_next(self.request), **kwargs
        )

    def post(self, request, *args, **kwargs):
        user = services.user_activate(uidb64=kwargs["uidb64"], token=kwargs["token"])
        if user is None:
            return self.get(request, *args, **kwargs)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome to {settings.SITE_NAME}, {user.username}! Your account is ready.")
        return redirect(_safe_next(request) or settings.LOGIN_REDIRECT_URL)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        # Checked before the password, so while throttled even the right one is refused.
        wait = services.login_throttle(request=request, identifier=request.POST.get("username", ""))
        setattr(request, COUNTED, True)
        if wait:
            form = LoginForm(request, initial={"username": request.POST.get("username", "")})
            return _throttled(self, wait=wait, message="Too many sign-in attempts", form=form)
        return super().post(request, *args, **kwargs)


class LogoutView(auth_views.LogoutView):
    """Log out by POST only (a link could be followed by anything); Django refuses GET with 405."""


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = PasswordChangeForm
    success_url = reverse_lazy("accounts:password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


class PasswordResetView(auth_views.PasswordResetView):
    """Email a reset link. The page that follows is the same whether or not the address has an account."""

    template_name = "accounts/password_reset.html"
    form_class = PasswordResetForm
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    extra_email_context = {"site_name": settings.SITE_NAME}
    success_url = reverse_lazy("accounts:password_reset_done")

    def post(self, request, *args, **kwargs):
        email = request.POST.get("email", "")
        wait = services.password_reset_throttle(request=request, email=email)
        if wait:
            form = PasswordResetForm(initial={"email": email})
            return _throttled(self, wait=wait, message="Too many password reset requests", form=form)
        return super().post(request, *args, **kwargs)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = SetPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


# Profiles and pseuds -------------------------------------------------------------------------------


def _works_page(request, works):
    return Paginator(works, WORKS_PER_PAGE).get_page(request.GET.get("page"))


class ProfileView(TemplateView):
    template_name = "accounts/profile.html"

    def get(self, request, *args, **kwargs):
        self.profile_user = _profile_user(kwargs["username"])
        if self.profile_user.username != kwargs["username"]:
            url = reverse("accounts:profile", kwargs={"username": self.profile_user.username})
            query = request.GET.urlencode()
            return redirect(f"{url}?{query}" if query else url)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        user = self.profile_user
        works = selectors.user_works(viewer=self.request.user, user=user)
        return super().get_context_data(
            profile_user=user,
            is_owner=self.request.user.pk == user.pk,
            is_muted=selectors.is_muted(user=self.request.user, muted=user),
            is_blocked=blocks.is_blocked(user=self.request.user, blocked=user),
            pseuds=list(selectors.user_pseuds(user)),
            links=list(selectors.user_profile_links(user)),
            page=_works_page(self.request, works),
            **kwargs,
        )


class PseudView(TemplateView):
    template_name = "accounts/pseud.html"

    def get_context_data(self, **kwargs):
        user = _profile_user(self.kwargs["username"])
        pseud = _pseud_of(user, self.kwargs["pseud"])
        works = selectors.pseud_works(viewer=self.request.user, pseud=pseud)
        kwargs.update(
            profile_user=user,
            pseud=pseud,
            is_owner=self.request.user.pk == user.pk,
            is_muted=selectors.is_muted(user=self.request.user, muted=user),
            page=_works_page(self.request, works),
        )
        return super().get_context_data(**kwargs)


class PseudListView(TemplateView):
    template_name = "accounts/pseud_list.html"

    def get_context_data(self, **kwargs):
        user = _profile_user(kwargs["username"])
        return super().get_context_data(
            profile_user=user,
            is_owner=self.request.user.pk == user.pk,
            pseuds=list(selectors.user_pseuds(user)),
            **kwargs,
        )


class PseudCreateView(LoginRequiredMixin, FormView):
    template_name = "accounts/pseud_form.html"
    form_class = PseudForm

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            pseud = services.pseud_create(
                user=self.request.user,
                name=data["name"],
                description=data["description"],
                text_format=data["text_format"],
                make_default=data["make_default"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Your new pseud “{pseud.name}” was created.")
        return redirect("accounts:pseuds", username=self.request.user.username)


class PseudEditView(OwnProfileMixin, FormView):
    template_name = "accounts/pseud_form.html"
    form_class = PseudForm

    def get_pseud(self) -> Pseud:
        if not hasattr(self, "pseud"):
            self.pseud = _pseud_of(self.profile_user, self.kwargs["pseud"])
        return self.pseud

    def get_form_kwargs(self):
        pseud = self.get_pseud()
        return {
            **super().get_form_kwargs(),
            "name_locked": pseud.name.lower() == self.profile_user.username.lower(),
            "is_default": pseud.is_default,
        }

    def get_initial(self):
        pseud = self.get_pseud()
        return {"name": pseud.name, "description": pseud.description, "text_format": FORMAT_HTML}

    def get_context_data(self, **kwargs):
        return super().get_context_data(pseud=self.get_pseud(), **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            pseud = services.pseud_update(
                pseud=self.get_pseud(),
                name=data["name"],
                description=data["description"],
                text_format=data["text_format"],
                make_default=data.get("make_default", False),
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Your pseud “{pseud.name}” was saved.")
        return redirect("accounts:pseuds", username=self.profile_user.username)


class PseudMakeDefaultView(OwnProfileMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        pseud = services.pseud_set_default(pseud=_pseud_of(self.profile_user, kwargs["pseud"]))
        messages.success(request, f"“{pseud.name}” is now your default pseud.")
        return redirect("accounts:pseuds", username=self.profile_user.username)


class PseudDeleteView(OwnProfileMixin, TemplateView):
    template_name = "accounts/pseud_confirm_delete.html"

    def get_context_data(self, **kwargs):
        kwargs["pseud"] = _pseud_of(self.profile_user, self.kwargs["pseud"])
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        return self.delete(request, *args, **kwargs)

    def delete(self, request, *args, **kwargs):
        pseud = _pseud_of(self.profile_user, kwargs["pseud"])
        try:
            services.pseud_delete(pseud=pseud)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, f"Your pseud “{pseud.name}” was deleted.")
        return redirect("accounts:pseuds", username=self.profile_user.username)


class ProfileEditView(OwnProfileMixin, TemplateView):
    template_name = "accounts/profile_edit.html"

    def get(self, request, *args, **kwargs):
        user = self.profile_user
        form = ProfileForm(
            initial={"bio": user.bio, "text_format": FORMAT_HTML, "show_links_on_works": user.show_links_on_works}
        )
        links = LinkFormSet(
            prefix="links",
            initial=[{"label": link.label, "url": link.url} for link in selectors.user_profile_links(user)],
        )
        return self.render_to_response(self.get_context_data(form=form, links=links))

    def post(self, request, *args, **kwargs):
        form = ProfileForm(request.POST)
        links = LinkFormSet(request.POST, prefix="links")
        link_errors: list[str] = []
        form_valid, links_valid = form.is_valid(), links.is_valid()
        if form_valid and links_valid:
            try:
                services.profile_update(
                    user=self.profile_user,
                    bio=form.cleaned_data["bio"],
                    text_format=form.cleaned_data["text_format"],
                    show_links_on_works=form.cleaned_data["show_links_on_works"],
                    links=links.links(),
                )
            except ValidationError as error:
                # Errors about the links as a whole go above the rows, not on a field of the profile form.
                errors = error.message_dict
                link_errors = errors.pop("links", [])
                add_service_errors(form, ValidationError(errors))
            else:
                messages.success(request, "Your profile was saved.")
                return redirect("accounts:profile", username=self.profile_user.username)
        return self.render_to_response(self.get_context_data(form=form, links=links, link_errors=link_errors))

    def get_context_data(self, **kwargs):
        return super().get_context_data(profile_user=self.profile_user, **kwargs)


class PreferencesView(LoginRequiredMixin, FormView):
    template_name = "accounts/preferences.html"
    form_class = PreferenceForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": selectors.user_preference(self.request.user)}

    def form_valid(self, form):
        try:
            services.preference_update(user=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "Your preferences were saved.")
        return redirect("accounts:preferences")


# Muted users and excluded tags ---------------------------------------------------------------------


def _muted_message(muted: User) -> str:
    return (
        f"You muted {muted.username}. Their works are left out of every listing, search and count you see; "
        "you can still read them by direct link."
    )


def _add_errors_to(form, field: str, error: ValidationError) -> None:
    for message in error.messages:
        form.add_error(field, message)


class MutedUsersView(LoginRequiredMixin, FormView):
    """The users a reader muted, and a form to mute one more by username."""

    template_name = "accounts/muted_users.html"
    form_class = MuteForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            muted_users=list(selectors.muted_users(self.request.user)), max_mutes=MAX_MUTES, **kwargs
        )

    def form_valid(self, form):
        muted = form.cleaned_data["muted"]
        try:
            services.mute_add(user=self.request.user, muted=muted)
        except ValidationError as error:
            _add_errors_to(form, "username", error)
            return self.form_invalid(form)
        messages.success(self.request, _muted_message(muted))
        return redirect("accounts:muted_users")


class MuteView(LoginRequiredMixin, View):
    """The Mute button on another user's profile."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        muted = _profile_user(kwargs["username"])
        try:
            services.mute_add(user=request.user, muted=muted)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _muted_message(muted))
        return redirect(_safe_next(request) or muted.get_absolute_url())


class UnmuteView(LoginRequiredMixin, View):
    """The Unmute buttons on a profile and on the muted users page; DELETE does the same."""

    http_method_names = ["post", "delete"]

    def post(self, request, *args, **kwargs):
        return self.delete(request, *args, **kwargs)

    def delete(self, request, *args, **kwargs):
        # Looked up among the reader's mutes, so a user deactivated since can still be unmuted.
        muted = selectors.muted_user_by_username(user=request.user, username=kwargs["username"])
        if muted is None:
            messages.info(request, f"You had not muted “{kwargs['username']}”, so there was nothing to undo.")
        else:
            services.mute_remove(user=request.user, muted=muted)
            messages.success(request, f"You unmuted {muted.username}. Their works are back in your listings.")
        return redirect(_safe_next(request) or reverse("accounts:muted_users"))


class ExcludedTagsView(LoginRequiredMixin, FormView):
    """The tags a reader always excludes, and a form to exclude one more by name."""

    template_name = "accounts/excluded_tags.html"
    form_class = TagExclusionForm

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"viewer": self.request.user}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            exclusions=list(selectors.tag_exclusions(self.request.user)),
            max_tag_exclusions=MAX_TAG_EXCLUSIONS,
            **kwargs,
        )

    def form_valid(self, form):
        tag = form.cleaned_data["excluded_tag"]
        try:
            services.tag_exclusion_add(user=self.request.user, tag=tag)
        except ValidationError as error:
            _add_errors_to(form, "tag", error)
            return self.form_invalid(form)
        messages.success(
            self.request, f"Works tagged “{tag.name}” are now left out of every listing, search and count you see."
        )
        return redirect("accounts:excluded_tags")


class TagExclusionRemoveView(LoginRequiredMixin, View):
    """The Remove buttons on the excluded tags page; DELETE does the same."""

    http_method_names = ["post", "delete"]

    def post(self, request, *args, **kwargs):
        return self.delete(request, *args, **kwargs)

    def delete(self, request, *args, **kwargs):
        exclusion = selectors.tag_exclusion_by_tag_id(user=request.user, tag_id=kwargs["tag_id"])
        if exclusion is None:
            messages.info(request, "That tag was not excluded, so there was nothing to remove.")
        else:
            services.tag_exclusion_remove(user=request.user, tag=exclusion.tag)
            messages.success(request, f"Works tagged “{exclusion.tag.name}” are back in your listings.")
        return redirect("accounts:excluded_tags")
