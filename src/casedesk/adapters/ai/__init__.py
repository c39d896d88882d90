"""The AI classification path: Azure OpenAI, or any OpenAI-compatible endpoint, with the
embedded classifier as its fallback (docs/ai-use.md). Nothing here imports the openai SDK
until the first request."""
