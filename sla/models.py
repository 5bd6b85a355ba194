"""SLA calendars, policies and clocks land here in a later issue."""
