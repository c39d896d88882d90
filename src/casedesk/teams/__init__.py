"""The Teams bot's use cases and cards, with no Bot Framework SDK imports.

commands (text -> command), cards (Adaptive Card JSON), bot (what each command and card
action does, checked against the roster and the permission table), references (where to
post proactively), notify (threat alerts and digests). The SDK glue is in
adapters/m365/teams_adapter.py; HTTP and token checks in entrypoints/bot.py.
"""
