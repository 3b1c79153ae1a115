"""Which measures read a column: through their own SQL and through the shared cohorts."""

from improvement.measures.catalogue import load_catalogue
from improvement.measures.reads import measure_readers
from improvement.validate import readers_of_table

CATALOGUE = load_catalogue()
READERS = measure_readers(CATALOGUE.values())


def test_a_column_read_only_through_shared_cohorts_names_the_measures_that_use_them():
    # cla_rate counts children in care from in_care_span, built from care_episode, which reads
    # the episode dates: its own SQL never names them.
    assert "clae_cla_episode_start_date" not in CATALOGUE["cla_rate"].sql
    assert READERS[("ssd_cla_episodes", "clae_cla_episode_start_date")] == (
        "adoption_a1_days", "cla_3plus_placements", "cla_dental_check", "cla_foster_share",
        "cla_health_assessment", "cla_long_term_stability", "cla_rate", "cla_visits_timely",
    )  # fmt: skip


def test_a_column_no_measure_reads_has_no_readers_and_a_table_gathers_its_columns():
    assert ("ssd_cla_episodes", "clae_cla_last_iro_contact_date") not in READERS
    assert ("ssd_contacts", "cont_contact_date") not in READERS
    assert readers_of_table(READERS, "ssd_cin_episodes") == (
        "re_referrals_12m", "referral_nfa", "referrals_rate",
    )  # fmt: skip
    assert readers_of_table(READERS, "ssd_contacts") == ()
