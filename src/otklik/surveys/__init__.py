"""Surveys: the JSON document (questions, texts per language, show-if logic), answers checked
against it, the shipped templates and the scores (NPS, CSAT, CES) with their intervals."""
