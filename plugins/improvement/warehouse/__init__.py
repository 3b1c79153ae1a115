"""The pipeline's own warehouse: snapshots of each extract, the calendar, run metadata."""
