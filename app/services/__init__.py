"""Services: the rules, as plain typed functions. They flush, never commit, and never touch flask.request."""
