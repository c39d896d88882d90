"""A small PDF writer (standard library only): embedded TrueType text, boxes and lines."""
