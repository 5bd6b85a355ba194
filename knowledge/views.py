"""Knowledge base pages for IT staff in the console (the portal shows articles to end users)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from incidents import selectors as ticket_selectors
from incidents.console import render_page, require_agent
from incidents.forms import BLANK
from incidents.models import ResolutionCode, Ticket
from incidents.views import actions_for
from servicedesk.errors import DomainError
from servicedesk.models import User

from . import selectors, services
from .models import Article

SUGGESTIONS = 5
TICKET_HITS = 10


@login_required
@require_GET
def agent_suggestions(request: HttpRequest) -> HttpResponse:
    """Articles matching the title being logged (an HTML fragment beside the log-a-call form);
    agents also see internal articles."""
    user = require_agent(request)
    title = request.GET.get("title", "").strip()[:200]
    hits = selectors.search(user, title, limit=SUGGESTIONS, match_all=False) if len(title) >= 3 else []
    return render(request, "knowledge/_agent_suggestions.html", {"hits": hits, "title": title})


class TicketArticleForm(forms.Form):
    """Link a published article to a ticket; optionally resolve the ticket with it."""

    article = forms.ModelChoiceField(queryset=Article.objects.none(), label=gettext_lazy("Article"))
    resolve = forms.BooleanField(required=False, label=gettext_lazy("Resolve the ticket with this article"))
    code = forms.ChoiceField(
        label=gettext_lazy("Resolution code"), choices=[BLANK, *ResolutionCode.choices], required=False
    )
    note = forms.CharField(
        label=gettext_lazy("Resolution note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Agents may link internal articles too; never a draft or an archived one.
        cast(forms.ModelChoiceField, self.fields["article"]).queryset = selectors.articles_readable_by(user)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("resolve"):
            if not data.get("code"):
                self.add_error("code", _("Choose a resolution code."))
            if not (data.get("note") or "").strip():
                self.add_error("note", _("Describe the resolution."))
        return data


def _ticket_articles_page(
    request: HttpRequest, user: User, ticket: Ticket, form: TicketArticleForm, status: int = 200
) -> HttpResponse:
    source = request.POST if request.method == "POST" else request.GET
    query = source.get("q", ticket.title).strip()[:200]
    return render_page(
        request,
        "knowledge/ticket_articles.html",
        {
            "ticket": ticket,
            "query": query,
            "links": list(selectors.ticket_links(ticket)),
            "hits": selectors.search(user, query, limit=TICKET_HITS, match_all=False) if query else [],
            "can_resolve": actions_for(user, ticket).resolve,
            "form": form,
        },
        status=status,
    )


@login_required
@require_GET
def ticket_articles(request: HttpRequest, pk: int) -> HttpResponse:
    """An agent finds articles for a ticket, links them, or resolves the ticket with one."""
    user = require_agent(request)
    ticket = ticket_selectors.ticket_get_for_user(user, pk)
    return _ticket_articles_page(request, user, ticket, TicketArticleForm(user=user))


@login_required
@require_GET
def ticket_article_links(request: HttpRequest, pk: int) -> HttpResponse:
    """The articles linked to a ticket (an HTML fragment the ticket page loads)."""
    user = require_agent(request)
    ticket = ticket_selectors.ticket_get_for_user(user, pk)
    return render(
        request,
        "knowledge/_ticket_links.html",
        {"ticket": ticket, "links": list(selectors.ticket_links(ticket))},
    )


@login_required
@require_POST
def ticket_article_link(request: HttpRequest, pk: int) -> HttpResponse:
    user = require_agent(request)
    ticket = ticket_selectors.ticket_get_for_user(user, pk)
    form = TicketArticleForm(request.POST, user=user)
    if not form.is_valid():
        return _ticket_articles_page(request, user, ticket, form, status=400)
    data = form.cleaned_data
    article: Article = data["article"]
    try:
        if data["resolve"]:
            ticket = services.ticket_resolve_with_article(
                ticket=ticket, actor=user, article=article, code=data["code"], note=data["note"]
            )
            messages.success(
                request,
                _("%(number)s resolved with the article “%(title)s”.")
                % {"number": ticket.number, "title": article.title},
            )
        else:
            services.article_link_ticket(article=article, ticket=ticket, actor=user)
            messages.success(
                request,
                _("The article “%(title)s” is linked to %(number)s.")
                % {"number": ticket.number, "title": article.title},
            )
    except DomainError as error:
        form.add_error(None, error.message)
        return _ticket_articles_page(request, user, ticket, form, status=400)
    return redirect(reverse("console:ticket", kwargs={"pk": ticket.pk}) + "#knowledge")
