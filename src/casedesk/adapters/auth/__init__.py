"""Checking who is calling: Entra ID access tokens for the Outlook add-in's API."""
