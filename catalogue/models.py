"""Service catalogue: orderable items, their forms, approvals and fulfilment tasks."""
