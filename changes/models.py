"""Change management (RFCs, CAB, schedule) lands here in a later issue."""
