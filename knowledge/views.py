"""Knowledge base pages for IT staff in the console (the portal shows articles to end users)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from incidents.console import require_agent

from . import selectors

SUGGESTIONS = 5


@login_required
@require_GET
def agent_suggestions(request: HttpRequest) -> HttpResponse:
    """Articles matching the title being logged (an HTML fragment beside the log-a-call form);
    agents also see internal articles."""
    user = require_agent(request)
    title = request.GET.get("title", "").strip()[:200]
    hits = selectors.search(user, title, limit=SUGGESTIONS, match_all=False) if len(title) >= 3 else []
    return render(request, "knowledge/_agent_suggestions.html", {"hits": hits, "title": title})
