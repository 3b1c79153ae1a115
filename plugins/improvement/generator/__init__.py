"""A deterministic synthetic county case system in Standard Safeguarding Dataset shape.

``generate_county`` simulates six years of a shire county's children's social care (with
a burn-in before them), calibrated to the seed council's figures and carrying its
improvement story, and fills the project's local extension tables (``ext_*``) from it;
``load_case_system`` writes all the tables to SQLite or PostgreSQL;
``format_summary`` prints the headline counts and the planted data faults.
"""

from improvement.generator.county import County, format_summary, generate_county
from improvement.generator.faults import PlantedFault
from improvement.generator.load import load_case_system
from improvement.generator.workforce import Team

__all__ = [
    "County",
    "PlantedFault",
    "Team",
    "format_summary",
    "generate_county",
    "load_case_system",
]
