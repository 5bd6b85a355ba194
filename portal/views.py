"""The self-service portal for end users (server-rendered, thin: forms validate, services write).

Every page works without JavaScript; htmx only adds article suggestions while typing a title.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit import selectors as audit_selectors
from audit.models import AccessChannel, AccessResource
from audit.services import record_ticket_read
from catalogue import selectors as catalogue_selectors
from incidents import selectors as ticket_selectors
from incidents import services as ticket_services
from incidents.console import console_user, safe_next
from incidents.downloads import attachment_response
from incidents.models import Channel, State, Ticket
from knowledge import selectors as kb
from knowledge import services as kb_services
from knowledge.models import ArticleFeedback
from knowledge.render import render_markdown
from servicedesk.errors import DomainError
from servicedesk.navigation import home_url

from . import selectors, services, survey
from .forms import AttachmentForm, CommentForm, LanguageForm, RatingForm, ReopenForm, ReportForm
from .models import SurveyAnswer

PAGE_SIZE = 20
SUGGESTIONS = 5


def _render(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    return render(request, template, context, status=status)


@login_required
@require_GET
def landing(request: HttpRequest) -> HttpResponse:
    """The address people type, and where signing in leads: each role to what it works on
    (servicedesk/navigation.py), end users to the portal."""
    return redirect(home_url(console_user(request)))


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = console_user(request)
    return _render(
        request,
        "portal/home.html",
        {
            "top_articles": kb.top_articles(user),
            "recent_articles": kb.recent_articles(user),
            "open_tickets": list(selectors.my_tickets(user, open_=True)[:5]),
            "approvals": list(catalogue_selectors.pending_approvals_for(user)[:5]),
            "status": selectors.service_status(timezone.now()),
        },
    )


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    user = console_user(request)
    query = request.GET.get("q", "").strip()[:200]
    hits = kb.search(user, query) if query else []
    return _render(request, "portal/search.html", {"query": query, "hits": hits})


@login_required
@require_GET
def article(request: HttpRequest, pk: int) -> HttpResponse:
    user = console_user(request)
    item = kb.article_get_for_user(user, pk)
    kb_services.article_viewed(article=item)
    return _render(
        request,
        "portal/article.html",
        {
            "article": item,
            "body": render_markdown(item.body),
            "translations": kb.article_versions(user, item),
            "answered": ArticleFeedback.objects.filter(article=item, user=user).exists(),
        },
    )


@login_required
@require_POST
def article_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    user = console_user(request)
    item = kb.article_get_for_user(user, pk)
    helpful = request.POST.get("helpful")
    if helpful not in ("yes", "no"):
        messages.error(request, _("Choose yes or no."))
    else:
        try:
            kb_services.article_feedback(article=item, actor=user, helpful=helpful == "yes")
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Thank you for your feedback."))
    return redirect("portal:article", pk=item.pk)


# --- report a fault ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    user = console_user(request)
    if request.method == "POST":
        form = ReportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                with transaction.atomic():
                    ticket = ticket_services.ticket_create(
                        actor=user,
                        caller=user,
                        title=form.cleaned_data["title"],
                        description=form.cleaned_data["description"],
                        channel=Channel.PORTAL,
                        service=form.cleaned_data["service"],
                    )
                    for upload in form.cleaned_data["attachments"]:
                        ticket_services.attachment_add(ticket=ticket, actor=user, upload=upload)
            except DomainError as error:
                form.add_domain_error(
                    error if error.field != "file" else DomainError(error.message, field="attachments")
                )
            else:
                messages.success(
                    request,
                    _("Thank you. Your case %(number)s has been registered.") % {"number": ticket.number},
                )
                return redirect("portal:ticket", pk=ticket.pk)
        status = 400
    else:
        form = ReportForm(initial={"title": request.GET.get("title", "")[:200]})
        status = 200
    title = str(form["title"].value() or "")
    # Suggestions while typing (htmx): the fragment replaces the list beside the form.
    form.fields["title"].widget.attrs.update(
        {
            "hx-get": reverse("portal:suggestions"),
            "hx-trigger": "input changed delay:300ms",
            "hx-target": "#suggestions",
            "aria-describedby": "suggestions-title",
        }
    )
    return _render(
        request,
        "portal/report.html",
        {
            "form": form,
            "services": selectors.services_for_reporting(),
            "suggestions": kb.search(user, title, limit=SUGGESTIONS, match_all=False) if title else [],
            "title": title,
        },
        status=status,
    )


@login_required
@require_GET
def suggestions(request: HttpRequest) -> HttpResponse:
    """Articles matching the title typed so far (an HTML fragment for htmx)."""
    user = console_user(request)
    title = request.GET.get("title", "").strip()[:200]
    hits = kb.search(user, title, limit=SUGGESTIONS, match_all=False) if len(title) >= 3 else []
    return _render(request, "portal/_suggestions.html", {"suggestions": hits, "title": title})


@login_required
@require_POST
def solved(request: HttpRequest) -> HttpResponse:
    """ "This solved it": no ticket; the deflection is counted."""
    user = console_user(request)
    item = kb.article_get_for_user(user, request.POST.get("article", ""))
    services.deflection_record(user=user, article=item, query=request.POST.get("title", ""))
    messages.success(request, _("Good to hear it is solved. No case was registered."))
    return redirect("portal:home")


# --- my tickets ----------------------------------------------------------------------------------


@login_required
@require_GET
def ticket_list(request: HttpRequest) -> HttpResponse:
    user = console_user(request)
    show_closed = request.GET.get("show") == "closed"
    page = Paginator(selectors.my_tickets(user, open_=not show_closed), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return _render(request, "portal/ticket_list.html", {"page_obj": page, "show_closed": show_closed})


@login_required
@require_GET
def ticket_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = console_user(request)
    ticket = selectors.ticket_for_caller(user, pk)
    record_ticket_read(request, ticket, channel=AccessChannel.PORTAL)
    answer = SurveyAnswer.objects.filter(ticket=ticket).first()
    return _render(
        request,
        "portal/ticket_detail.html",
        {
            "ticket": ticket,
            # Public comments and files only: the selectors leave internal ones out for end users.
            "comments": list(ticket_selectors.comments_for(user, ticket).filter(internal=False)),
            "attachments": list(ticket_selectors.attachments_for(user, ticket).filter(internal=False)),
            "answer_by": selectors.answer_by(ticket) if ticket.is_open else None,
            "reopen_until": selectors.reopen_until(ticket) if ticket.state == State.RESOLVED else None,
            "survey_answer": answer,
            "own_reads": audit_selectors.own_ticket_reads(user, ticket),
            "comment_form": CommentForm(),
            "attachment_form": AttachmentForm(),
            "reopen_form": ReopenForm(),
            "rating_form": RatingForm()
            if answer is None and ticket.state in survey.RATEABLE_STATES
            else None,
        },
    )


def _back_to(ticket: Ticket, anchor: str = "") -> HttpResponse:
    return redirect(reverse("portal:ticket", kwargs={"pk": ticket.pk}) + anchor)


def _first_error(form: Any) -> str:
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


@login_required
@require_POST
def comment_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = console_user(request)
    ticket = selectors.ticket_for_caller(user, pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return _back_to(ticket, "#conversation")
    try:
        ticket_services.comment_add(ticket=ticket, actor=user, body=form.cleaned_data["body"])
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your message has been added."))
    return _back_to(ticket, "#conversation")


@login_required
@require_POST
def attachment_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = console_user(request)
    ticket = selectors.ticket_for_caller(user, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return _back_to(ticket, "#files")
    try:
        attachment = ticket_services.attachment_add(
            ticket=ticket, actor=user, upload=form.cleaned_data["file"]
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(name)s attached.") % {"name": attachment.filename})
    return _back_to(ticket, "#files")


@login_required
@require_GET
def attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    user = console_user(request)
    ticket = selectors.ticket_for_caller(user, pk)
    attachment = ticket_selectors.attachment_get_for_user(user, attachment_pk, ticket_pk=ticket.pk)
    if attachment.internal:
        raise Http404
    record_ticket_read(request, ticket, channel=AccessChannel.PORTAL, resource=AccessResource.FILE)
    return attachment_response(attachment)


@login_required
@require_POST
def ticket_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """ "It is fixed": the caller confirms the resolution and the ticket closes."""
    user = console_user(request)
    ticket = selectors.ticket_for_caller(user, pk)
    try:
        ticket_services.ticket_close(ticket=ticket, actor=user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Thank you for confirming. The case is closed."))
    return _back_to(ticket)


@login_required
@require_POST
def ticket_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    user = console_user(request)
    ticket = selectors.ticket_for_caller(user, pk)
    form = ReopenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return _back_to(ticket)
    try:
        ticket_services.ticket_reopen(ticket=ticket, actor=user, reason=form.cleaned_data["reason"])
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The case is open again. We will look at it."))
    return _back_to(ticket)


@login_required
@require_POST
def ticket_rate(request: HttpRequest, pk: int) -> HttpResponse:
    user = console_user(request)
    ticket = ticket_selectors.ticket_get_for_user(user, pk)  # an agent may see it; the service refuses
    form = RatingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return _back_to(ticket, "#rating")
    try:
        survey.survey_answer(
            ticket=ticket, actor=user, score=form.cleaned_data["score"], comment=form.cleaned_data["comment"]
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Thank you for rating our help."))
    return _back_to(ticket, "#rating")


@require_http_methods(["GET", "POST"])
def survey_link(request: HttpRequest, token: str) -> HttpResponse:
    """The e-mailed one-time link: no sign-in, the token is the credential. GET shows the form;
    only a POST answers, once."""
    try:
        ticket = survey.ticket_for_token(token)
    except survey.LinkRefused as refused:
        return _render(request, "portal/survey_link_error.html", {"message": refused.message}, refused.status)
    with translation.override(ticket.caller.preferred_language):
        form = RatingForm(request.POST or None)
        status = 200
        if request.method == "POST":
            status = 400
            if form.is_valid():
                try:
                    survey.survey_answer_by_link(
                        token=token, score=form.cleaned_data["score"], comment=form.cleaned_data["comment"]
                    )
                except survey.LinkRefused as refused:
                    return _render(
                        request, "portal/survey_link_error.html", {"message": refused.message}, refused.status
                    )
                except DomainError as error:
                    form.add_domain_error(error)
                else:
                    return _render(request, "portal/survey_link_done.html", {"ticket": ticket})
        return _render(request, "portal/survey_link.html", {"ticket": ticket, "form": form}, status)


# --- status, language, accessibility -----------------------------------------------------------


@login_required
@require_GET
def status(request: HttpRequest) -> HttpResponse:
    return _render(request, "portal/status.html", {"status": selectors.service_status(timezone.now())})


@login_required
@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch language and remember it on the profile (portal and console alike)."""
    user = console_user(request)
    form = LanguageForm(request.POST)
    if form.is_valid():
        services.user_set_language(user=user, language=form.cleaned_data["language"])
    return redirect(safe_next(request, reverse("portal:home")))


@require_GET
def accessibility(request: HttpRequest) -> HttpResponse:
    return _render(request, "portal/accessibility.html", {})
