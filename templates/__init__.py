"""techpack's built-in templates (Jinja). Copy one into a templates/ folder beside your spec to override it."""
