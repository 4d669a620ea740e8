"""CSV export."""


def _format_row(item):
    # @1.0.1 # Prices are cents in the database, but imported rows carry strings.
    # BUG py-export-format-price: map() callback formats a str price with :.2f.
    return f"{item['sku']},{item['price']:.2f}"


def to_csv_rows(items):
    return list(map(_format_row, items))
