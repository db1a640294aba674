"""Alerts: the spike detector, the messages in each reader's language, and their delivery."""
