"""The Udviklingsrapport: one Jinja2 template rendered to HTML and, through WeasyPrint, to PDF."""
