"""Improvement-reporting pipeline for English children's services.

Everything the DAGs do lives here, importable and testable without a scheduler.
"""
