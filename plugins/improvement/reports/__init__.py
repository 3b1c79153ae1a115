"""Governance packs and weekly outputs: content, disclosure control, charts, rendering."""
