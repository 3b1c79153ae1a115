"""The DfE's statutory returns from a stored snapshot, and the DfE's own rules run over them.

``collection_year`` says which year a date falls in, ``ssda903`` builds the SSDA903 tables,
``dfe_rules`` runs Data to Insight's validators over them in their own Python environment,
and ``readiness`` turns the rules' findings into counts by team and restricted worklists.
"""
