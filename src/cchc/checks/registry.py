"""The explicit list of checks, in the order they run. To add a check, write it in the module of its
kind (structure, arithmetic, evidence, or a new one) and list it here."""

from __future__ import annotations

from cchc.checks.appraisal import (
    check_appraisal_incomplete,
    check_appraisal_on_survey,
    check_appraisal_ranges,
    check_appraisal_reasons,
    check_appraisal_sums,
)
from cchc.checks.arithmetic import check_decimals, check_sums, check_total_max
from cchc.checks.context import Check
from cchc.checks.evidence import (
    check_citation_date_conflicts,
    check_citation_dates,
    check_citation_types,
    check_citations_recognised,
    check_evidence,
    check_evidence_files,
)
from cchc.checks.scoring import (
    check_caps,
    check_card_rules,
    check_not_applicable,
    check_rule_values,
    check_set_criteria,
    check_set_found,
    check_set_rules_match,
    check_set_year_level,
)
from cchc.checks.structure import (
    check_duplicate_ids,
    check_ids_under_parent,
    check_leaf_max,
    check_ranges,
    check_required_text,
    check_split_groups,
    check_unscored,
)

#: Every check, in the order they run. Add new checks here.
CHECKS: list[Check] = [
    check_required_text,
    check_leaf_max,
    check_duplicate_ids,
    check_ids_under_parent,
    check_ranges,
    check_split_groups,
    check_sums,
    check_unscored,
    check_evidence,
    check_total_max,
    check_decimals,
    check_citation_dates,
    check_citation_types,
    check_citation_date_conflicts,
    check_citations_recognised,
    check_evidence_files,
    check_set_found,
    check_set_year_level,
    check_set_criteria,
    check_set_rules_match,
    check_card_rules,
    check_rule_values,
    check_not_applicable,
    check_caps,
    check_appraisal_ranges,
    check_appraisal_sums,
    check_appraisal_reasons,
    check_appraisal_incomplete,
    check_appraisal_on_survey,
]

#: The checks that only ever warn. `cchc rank` needs to know whether a card has errors, not its
#: warnings, so it skips these (the evidence citations are most of a file's checking time); a test
#: holds every case file's errors equal with and without them.
WARNINGS_ONLY: frozenset[Check] = frozenset(
    {
        check_unscored,
        check_evidence,
        check_total_max,
        check_decimals,
        check_citation_dates,
        check_citation_types,
        check_citation_date_conflicts,
        check_citations_recognised,
        check_evidence_files,
        check_set_year_level,
        check_caps,
        check_appraisal_reasons,
        check_appraisal_incomplete,
        check_appraisal_on_survey,
    }
)
