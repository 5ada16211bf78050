"""Lighthouse scores of the built site (slow: not run by pytest); see run.py."""
