"""Maintainers' screens for users, pseuds, profile links, preferences, mutes and tag exclusions."""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db import models

from fanfold.accounts.models import Block, Mute, Preference, ProfileLink, Pseud, TagExclusion, User
from fanfold.accounts.services import user_profile_ensure
from fanfold.core.admin import ReadOnlyAdmin
from fanfold.core.html import sanitize_html


class UserCreationAdminForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "email")


class UserChangeAdminForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User

    def clean_bio(self) -> str:
        # Bios are shown as HTML: whatever a maintainer types goes through the same allowlist.
        return sanitize_html(self.cleaned_data["bio"])


class PseudAdminForm(forms.ModelForm):
    class Meta:
        model = Pseud
        fields = ["user", "name", "description", "is_default"]

    def clean_description(self) -> str:
        return sanitize_html(self.cleaned_data["description"])


class PseudInline(admin.TabularInline):
    model = Pseud
    form = PseudAdminForm
    fields = ["name", "is_default", "description"]
    extra = 0


# Profile links are web addresses; a bare "example.org" typed by a maintainer means https.
_URL_FORMFIELD = {models.URLField: {"assume_scheme": "https"}}


class ProfileLinkInline(admin.TabularInline):
    model = ProfileLink
    formfield_overrides = _URL_FORMFIELD
    fields = ["position", "label", "url"]
    extra = 0


class PreferenceInline(admin.StackedInline):
    model = Preference
    can_delete = False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeAdminForm
    add_form = UserCreationAdminForm
    list_display = ["username", "email", "date_joined", "last_login", "is_active", "is_staff"]
    search_fields = ["username", "email", "pseuds__name"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("Profile", {"fields": ("bio", "show_links_on_works")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "email", "usable_password", "password1", "password2")}),
    )
    inlines = [PseudInline, ProfileLinkInline, PreferenceInline]

    def get_inlines(self, request, obj):
        # A new user gets their default pseud and preferences from the service, not from empty inlines.
        return self.inlines if obj is not None else []

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            user_profile_ensure(user=obj)


@admin.register(Pseud)
class PseudAdmin(admin.ModelAdmin):
    form = PseudAdminForm
    list_display = ["name", "user", "is_default", "created_at"]
    list_filter = ["is_default"]
    search_fields = ["name", "user__username", "user__email"]
    raw_id_fields = ["user"]


@admin.register(ProfileLink)
class ProfileLinkAdmin(admin.ModelAdmin):
    list_display = ["label", "url", "user", "position"]
    formfield_overrides = _URL_FORMFIELD
    search_fields = ["label", "url", "user__username"]
    raw_id_fields = ["user"]


@admin.register(Mute)
class MuteAdmin(admin.ModelAdmin):
    list_display = ["user", "muted", "created_at"]
    search_fields = ["user__username", "muted__username"]
    raw_id_fields = ["user", "muted"]
    list_select_related = ["user", "muted"]


@admin.register(TagExclusion)
class TagExclusionAdmin(admin.ModelAdmin):
    list_display = ["user", "tag", "created_at"]
    search_fields = ["user__username", "tag__name"]
    raw_id_fields = ["user", "tag"]
    list_select_related = ["user", "tag"]


@admin.register(Block)
class BlockAdmin(ReadOnlyAdmin):
    list_display = ["user", "blocked", "created_at"]
    search_fields = ["user__username", "blocked__username"]
    list_select_related = ["user", "blocked"]
