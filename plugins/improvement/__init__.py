"""Improvement-reporting pipeline for English children's services.

Everything the DAGs do lives here, importable and testable without a scheduler.
"""

import pandas as _pd

# With pyarrow installed, pandas 3 stores text in Arrow arrays, whose comparisons refuse
# objects of other types and whose missing values behave differently; the package's frames
# were written for, and are proven byte-identical on, Python's own string storage.
_pd.set_option("mode.string_storage", "python")
