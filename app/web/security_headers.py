"""Security headers on every response of the app (dashboard, resident H5 pages, API).

The Content-Security-Policy allows only same-origin scripts and styles (no 'unsafe-inline': templates carry
no inline <script> or style=""), images also from data: and blob: URLs, and no framing at all.
"""

from __future__ import annotations

from flask import Flask, Response

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HSTS = "max-age=31536000; includeSubDomains"


def init_app(app: Flask) -> None:
    defaults = [
        ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
        ("X-Frame-Options", "DENY"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    ]
    if app.config.get("ENV") == "production":
        defaults.append(("Strict-Transport-Security", HSTS))
    names = {name.lower() for name, _ in defaults}

    @app.after_request
    def security_headers(response: Response) -> Response:
        """Each header unless the view set its own (one pass over the response's headers, not six)."""
        headers = response.headers
        present = {name.lower() for name, _ in headers.to_wsgi_list()} & names
        if not present:
            headers.extend(defaults)
        else:
            headers.extend([(name, value) for name, value in defaults if name.lower() not in present])
        return response
