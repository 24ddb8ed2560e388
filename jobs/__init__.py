"""Scheduled work as plain functions with explicit inputs, plus the APScheduler wiring."""
