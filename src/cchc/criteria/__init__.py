"""Criteria sets (bộ tiêu chí): the official criteria, maxima and scoring rules a card is checked against."""
