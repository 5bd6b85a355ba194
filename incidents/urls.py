"""Agent console routes, mounted at /console/."""

from __future__ import annotations

from django.urls import path, re_path

from contacts import views as centre_views

from . import call_views, list_views, ticket_views, views

app_name = "console"

urlpatterns = [
    path("customer-centre/", centre_views.centre, name="customer-centre"),
    path("customer-centre/live/", centre_views.centre_live, name="customer-centre-live"),
    path("customer-centre/duty/", centre_views.duty, name="customer-centre-duty"),
    path("customer-centre/contacts/<int:pk>/answer/", centre_views.answer, name="contact-answer"),
    path("", views.ticket_list, name="home"),
    path("tickets/", views.ticket_list, name="ticket-list"),
    path("tickets/new/", views.ticket_new, name="ticket-new"),
    path("tickets/new/caller-tickets/", call_views.caller_tickets, name="call-caller-tickets"),
    path("tickets/new/note/", call_views.call_note, name="call-note"),
    path("tickets/new/priority/", call_views.call_priority, name="call-priority"),
    path("tickets/new/duplicates/", call_views.call_duplicates, name="call-duplicates"),
    path("tickets/new/categories/", call_views.call_categories, name="call-categories"),
    path("tickets/bulk/", list_views.bulk_action, name="ticket-bulk"),
    path("tickets/views/", list_views.saved_view_create, name="saved-view-create"),
    path("tickets/views/<int:pk>/delete/", list_views.saved_view_delete, name="saved-view-delete"),
    path("people/", list_views.people, name="people"),
    path("tickets/export.csv", views.ticket_export, name="ticket-export"),
    path("tickets/<int:pk>/", views.ticket_detail, name="ticket"),
    path("tickets/<int:pk>/comments/", views.comment_create, name="comment-create"),
    path("tickets/<int:pk>/attachments/", views.attachment_create, name="attachment-create"),
    path("tickets/<int:pk>/edit/", ticket_views.ticket_edit, name="ticket-edit"),
    path("tickets/<int:pk>/assign/", ticket_views.ticket_assign, name="ticket-assign"),
    path(
        "tickets/<int:pk>/escalate/", ticket_views.ticket_assign, {"escalate": True}, name="ticket-escalate"
    ),
    path("tickets/<int:pk>/assignees/", ticket_views.assignee_options, name="ticket-assignees"),
    path("tickets/<int:pk>/priority/", ticket_views.priority_preview, name="ticket-priority"),
    re_path(
        r"^tickets/(?P<pk>[0-9]+)/(?P<transition>" + "|".join(views.TRANSITIONS) + r")/$",
        views.ticket_transition,
        name="ticket-transition",
    ),
    path("tickets/<int:pk>/outages/<int:outage_id>/", views.outage_edit, name="outage-edit"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("callers/", views.caller_lookup, name="callers"),
    path("queues/", views.queue_list, name="queues"),
    path("queues/<int:pk>/claim-next/", views.queue_claim_next, name="queue-claim-next"),
    path("notifications/", views.notification_list, name="notifications"),
]
