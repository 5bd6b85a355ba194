"""Portal forms: validate input only; the services write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from servicedesk.errors import DomainError
from servicedesk.models import Service

from .survey import SCORES

# Django's own empty-choice label, which Django's bokmål catalogue lacks: translated in ours.
DJANGO_STRINGS = [gettext_noop("- Select an option -")]

MAX_FILES = 5


class PortalForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def add_domain_error(self, error: DomainError) -> None:
        self.add_error(error.field if error.field in self.fields else None, error.message)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile[bytes]]:
        single = super().clean
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > MAX_FILES:
            raise forms.ValidationError(_("Attach at most %(count)s files.") % {"count": MAX_FILES})
        return [single(item, initial) for item in files]


class ReportForm(PortalForm):
    """Report a fault: which service, what is wrong, files."""

    service = forms.CharField(
        label=_("Which service or system is it about?"),
        max_length=120,
        required=False,
        help_text=_("Start typing to search, or leave empty if you are not sure."),
        widget=forms.TextInput(attrs={"list": "service-options", "autocomplete": "off"}),
    )
    title = forms.CharField(
        label=_("What is wrong? (short)"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    description = forms.CharField(
        label=_("Describe the problem"),
        required=False,
        max_length=10000,
        help_text=_("What happened, where, and what you tried. Never write patient information here."),
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    attachments = MultipleFileField(label=_("Attach files"), required=False)

    def clean_service(self) -> Service | None:
        name = self.cleaned_data["service"].strip()
        if not name:
            return None
        service = Service.objects.filter(active=True, name__iexact=name).first()
        if service is None:
            raise forms.ValidationError(_("Choose a service from the list, or leave the field empty."))
        return service

    def clean_title(self) -> str:
        title: str = self.cleaned_data["title"].strip()
        if not title:
            raise forms.ValidationError(_("Tell us briefly what is wrong."))
        return title


class CommentForm(PortalForm):
    body = forms.CharField(
        label=_("Add a message"), max_length=10000, widget=forms.Textarea(attrs={"rows": 4})
    )


class AttachmentForm(PortalForm):
    file = forms.FileField(label=_("Add a file"))


class ReopenForm(PortalForm):
    reason = forms.CharField(
        label=_("Why is it not solved?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class RatingForm(PortalForm):
    score = forms.TypedChoiceField(
        label=_("How satisfied are you with the help you got? (1 = very dissatisfied, 6 = very satisfied)"),
        choices=[(score, str(score)) for score in SCORES],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "invalid_choice": _("Choose a score from 1 to 6."),
            "required": _("Choose a score from 1 to 6."),
        },
    )
    comment = forms.CharField(
        label=_("Anything you want to tell us? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=[("nb", "Norsk bokmål"), ("en", "English")])
