"""Improvement-plan measures: catalogue, engine, SPC and RAG."""
