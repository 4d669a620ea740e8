"""Query-string helpers."""


def parse_page(params):
    # @1.0.1 # ?page= is user-controlled.
    raw = params.get("page", "1")
    # BUG py-page-not-int: int() on whatever the client sent.
    page = int(raw)
    return page, int(params.get("per_page", "20"))
